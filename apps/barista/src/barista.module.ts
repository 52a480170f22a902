import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { type ApiDocsInfo, HealthModule } from '@cafe/http';
import { CoreBridgeModule } from '@cafe/ordering';
import { BaristaController } from './barista.controller';
import { MetricsController } from './metrics.controller';

export const BARISTA_API_DOCS: ApiDocsInfo = {
  title: 'Café: barista API',
  description:
    'Baristas take the oldest order and finish it; operators read the queue, health and metrics. Never exposed to customers.',
};

/** The internal app: baristas take and finish orders. Never exposed to customers. */
@Module({})
export class BaristaModule {
  static forCore(core: INestApplicationContext): DynamicModule {
    return {
      module: BaristaModule,
      imports: [CoreBridgeModule.from(core), HealthModule.forCore(core)],
      controllers: [BaristaController, MetricsController],
    };
  }
}
