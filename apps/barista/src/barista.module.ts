import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { CoreBridgeModule } from '@cafe/ordering';
import { BaristaController } from './barista.controller';

/** The internal app: baristas take and finish orders. Never exposed to customers. */
@Module({})
export class BaristaModule {
  static forCore(core: INestApplicationContext): DynamicModule {
    return {
      module: BaristaModule,
      imports: [CoreBridgeModule.from(core)],
      controllers: [BaristaController],
    };
  }
}
