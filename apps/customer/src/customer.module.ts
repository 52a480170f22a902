import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { TrustedProxies } from '@cafe/http';
import { CoreBridgeModule } from '@cafe/ordering';
import type { FloodDefenceOptions } from './flood/flood-defence.options';
import { WaitingPerAddress } from './flood/waiting-per-address';
import { OrderController } from './order.controller';

/** The public app: customers place orders and wait for them. */
@Module({})
export class CustomerModule {
  static forCore(core: INestApplicationContext, flood: FloodDefenceOptions): DynamicModule {
    const blockDuration = flood.blockSeconds * 1000;
    return {
      module: CustomerModule,
      imports: [
        CoreBridgeModule.from(core),
        ThrottlerModule.forRoot({
          throttlers: [
            {
              name: 'burst',
              limit: flood.burst.limit,
              ttl: flood.burst.seconds * 1000,
              blockDuration,
            },
            {
              name: 'sustained',
              limit: flood.sustained.limit,
              ttl: flood.sustained.seconds * 1000,
              blockDuration,
            },
          ],
          // The exception filter sets the one Retry-After header; rate headers would only cost bytes.
          setHeaders: false,
        }),
      ],
      providers: [
        { provide: TrustedProxies, useValue: flood.trustedProxies },
        { provide: WaitingPerAddress, useValue: new WaitingPerAddress(flood.maxWaitingPerAddress) },
      ],
      controllers: [OrderController],
    };
  }
}
