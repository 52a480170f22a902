import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces } from '@nestjs/swagger';
import { CafeMetrics, PROMETHEUS_CONTENT_TYPE } from '@cafe/ordering';
import { OpenRoute } from '@cafe/http';

/** Open like the probes: a scraper carries no barista token, and counts name nobody. */
@Controller('metrics')
@OpenRoute()
export class MetricsController {
  constructor(private readonly metrics: CafeMetrics) {}

  @Get()
  @Header('Content-Type', PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics of the café and of the process' })
  @ApiProduces(PROMETHEUS_CONTENT_TYPE)
  @ApiOkResponse({
    description: 'Prometheus text exposition format',
    schema: {
      type: 'string',
      example: 'cafe_queue_depth 3\ncafe_events_total{type="OrderPlaced"} 42\n',
    },
  })
  scrape(): Promise<string> {
    return this.metrics.scrape();
  }
}
