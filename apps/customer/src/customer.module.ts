import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { CoreBridgeModule } from '@cafe/ordering';
import { OrderController } from './order.controller';

/** The public app: customers place orders and wait for them. */
@Module({})
export class CustomerModule {
  static forCore(core: INestApplicationContext): DynamicModule {
    return {
      module: CustomerModule,
      imports: [CoreBridgeModule.from(core)],
      controllers: [OrderController],
    };
  }
}
