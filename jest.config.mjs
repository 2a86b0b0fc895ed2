// Nest 12 ships ES modules only, so Jest runs in its native ESM mode (--experimental-vm-modules).
// ts-jest transpiles file by file (isolatedModules), so the @nestjs/swagger CLI plugin, which
// needs a whole program, only runs in `nest build`.
const tsJest = [
  'ts-jest',
  {
    useESM: true,
    tsconfig: 'tsconfig.json',
  },
];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  setupFiles: ['reflect-metadata'],
};

export default {
  globalSetup: '<rootDir>/test/setup/global-setup.mjs',
  globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
  testTimeout: 30000,
  // A suite whose setup failed half-way can leave a server listening; the run must still end
  // (and fail) rather than wait for CI's time limit.
  forceExit: true,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/migrations/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testEnvironment: '<rootDir>/test/setup/e2e-environment.mjs',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    },
  ],
};
