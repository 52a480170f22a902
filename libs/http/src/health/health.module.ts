import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EventStore } from '@cafe/ordering';
import { HealthController } from './health.controller';

/** `/health` (readiness) and `/health/live` (liveness) for an app of the given core. */
@Module({})
export class HealthModule {
  static forCore(core: INestApplicationContext): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule],
      controllers: [HealthController],
      providers: [{ provide: EventStore, useValue: core.get(EventStore) }],
    };
  }
}
