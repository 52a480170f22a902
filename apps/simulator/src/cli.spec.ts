import { readCliOptions, simulatorCommand } from './cli';

describe('the simulator command line', () => {
  it('has the story of the task as defaults', () => {
    const { simulation, json, progress } = readCliOptions([]);
    expect(simulation).toMatchObject({
      customerUrl: 'http://127.0.0.1:8000',
      baristaUrl: 'http://127.0.0.1:8001',
      customers: 200,
      baristas: 10,
      brew: { min: 30, max: 60 },
      flood: 0,
      floodIp: '127.0.0.1',
      timeScale: 0.001,
      deadlineMs: undefined,
    });
    expect({ json, progress }).toEqual({ json: false, progress: 'auto' });
  });

  it('reads every option', () => {
    const { simulation, json, progress } = readCliOptions([
      '--customer-url=http://10.0.0.5:9000/cafe',
      '--customers=50',
      '--group-sizes=1,100-200',
      '--group-gap=5',
      '--baristas=3',
      '--brew=0',
      '--flood=5000',
      '--flood-ip=127.0.0.9',
      '--source-ips=0',
      '--time-scale=0.01',
      '--seed=9',
      '--deadline=2.5',
      '--json',
      '--progress=off',
    ]);
    expect(simulation).toMatchObject({
      customerUrl: 'http://10.0.0.5:9000/cafe',
      customers: 50,
      groupSizes: [
        { min: 1, max: 1 },
        { min: 100, max: 200 },
      ],
      groupGap: { min: 5, max: 5 },
      baristas: 3,
      brew: { min: 0, max: 0 },
      flood: 5000,
      floodIp: '127.0.0.9',
      sourceIps: 0,
      timeScale: 0.01,
      seed: 9,
      deadlineMs: 2500,
    });
    expect({ json, progress }).toEqual({ json: true, progress: 'off' });
  });

  it.each([
    ['--customers=-1'],
    ['--customers=1.5'],
    ['--brew=60-30'],
    ['--group-sizes=1,,2'],
    ['--flood-ip=10.0.0.1'],
    ['--time-scale=-1'],
    ['--progress=sometimes'],
  ])('refuses %s', (argument) => {
    const command = simulatorCommand()
      .exitOverride()
      .configureOutput({ writeErr: () => undefined });
    expect(() => command.parse([argument], { from: 'user' })).toThrow(/invalid|Allowed choices/);
  });
});
