/** How far a long command is, for a progress line: what it is doing now, and how many of how many are done. */
export interface ProgressStep {
  what: string;
  done: number;
  total: number;
}

export type OnProgress = (step: ProgressStep) => void;
