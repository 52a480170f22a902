import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { type ApiDocsInfo, HealthModule } from '@cafe/http';
import { CoreBridgeModule } from '@cafe/ordering';
import { OrderController } from './order.controller';

export const CUSTOMER_API_DOCS: ApiDocsInfo = {
  title: 'Café: customer API',
  description:
    'Customers order an americano and wait, with the request held open, until it is ready.',
};

/** The public app: customers place orders and wait for them. */
@Module({})
export class CustomerModule {
  static forCore(core: INestApplicationContext): DynamicModule {
    return {
      module: CustomerModule,
      imports: [CoreBridgeModule.from(core), HealthModule.forCore(core)],
      controllers: [OrderController],
    };
  }
}
