import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EventStore } from '@cafe/ordering';
import { HealthController, STORE_IS_WRITABLE } from './health.controller';

/** `/health` (readiness) and `/health/live` (liveness) for an app of the given core. */
@Module({})
export class HealthModule {
  static forCore(core: INestApplicationContext): DynamicModule {
    const store = core.get(EventStore);
    return {
      module: HealthModule,
      imports: [TerminusModule],
      controllers: [HealthController],
      // A function, not the store: Nest runs the lifecycle hooks of every provided instance
      // when an app closes, and the store's (closing a database file) belong to the core alone.
      providers: [{ provide: STORE_IS_WRITABLE, useValue: () => store.isWritable() }],
    };
  }
}
