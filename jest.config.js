/** Unit specs live next to the code; black-box e2e specs of the running apps live in test/. */
const shared = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@cafe/ordering$': '<rootDir>/libs/ordering/src',
    '^@cafe/http$': '<rootDir>/libs/http/src',
    '^@cafe/simulation$': '<rootDir>/libs/simulation/src',
  },
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
