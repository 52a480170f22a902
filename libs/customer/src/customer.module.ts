import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { type ApiDocsInfo, type ConnectionDoor, HealthModule, TrustedProxies } from '@cafe/http';
import { CafeMetrics, Clock, CoreBridgeModule, EventFeed } from '@cafe/ordering';
import { type FloodDefenceOptions, floodThrottlers } from './flood/flood-defence.options';
import { BlockedAddresses } from './flood/blocked-addresses';
import { FloodCutOff } from './flood/flood-cut-off';
import { FloodRedis } from './flood/flood-redis';
import { GcraThrottlerStorage } from './flood/gcra-throttler-storage';
import { LookupMisses } from './flood/lookup-misses';
import { SharedThrottlers } from './flood/shared-throttlers';
import { WaitingPerAddress } from './flood/waiting-per-address';
import { OrderController } from './order.controller';

export const CUSTOMER_API_DOCS: ApiDocsInfo = {
  title: 'Café: customer API',
  description:
    'Customers order an americano and wait, with the request held open, until it is ready.',
};

/** The public app: customers place orders and wait for them. */
@Module({})
export class CustomerModule {
  /** `floodRedis`: connected for REDIS_URL, or null to limit floods per instance; `door`: the port's, for readiness. */
  static forCore(
    core: INestApplicationContext,
    flood: FloodDefenceOptions,
    floodRedis: FloodRedis | null,
    door: ConnectionDoor,
  ): DynamicModule {
    const throttlers = floodThrottlers(flood);
    const sharedThrottlers = floodRedis && new SharedThrottlers(floodRedis);
    return {
      module: CustomerModule,
      imports: [
        CoreBridgeModule.from(core),
        HealthModule.forCore(core, door, { takesOrders: true }),
        ThrottlerModule.forRoot({
          throttlers,
          // The exception filter sets the one Retry-After header; rate headers would only cost bytes.
          setHeaders: false,
          // One key per throttler and address.
          storage: new GcraThrottlerStorage(
            flood.maxAddresses * throttlers.length,
            core.get(Clock),
          ),
        }),
      ],
      providers: [
        { provide: TrustedProxies, useValue: flood.trustedProxies },
        { provide: FloodRedis, useValue: floodRedis },
        { provide: SharedThrottlers, useValue: sharedThrottlers },
        {
          provide: WaitingPerAddress,
          useFactory: (feed: EventFeed) =>
            new WaitingPerAddress(flood.maxWaitingPerAddress, feed, floodRedis),
          inject: [EventFeed],
        },
        {
          provide: LookupMisses,
          useFactory: (clock: Clock, metrics: CafeMetrics) =>
            new LookupMisses(
              flood.lookupMissesPerMinute,
              flood.maxAddresses,
              clock,
              metrics,
              sharedThrottlers,
            ),
          inject: [Clock, CafeMetrics],
        },
        BlockedAddresses,
        FloodCutOff,
      ],
      controllers: [OrderController],
    };
  }
}
