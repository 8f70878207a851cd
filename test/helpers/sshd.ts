// The sshd test bed lives in src/testbed (the benchmark uses it too).
export * from '../../src/testbed/sshd.js';
