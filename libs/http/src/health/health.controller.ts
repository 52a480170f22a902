import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  type HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { ApiErrorResponse } from '../api-docs';

/** Injects `EventStore.isWritable` of the core. */
export const STORE_IS_WRITABLE = Symbol('STORE_IS_WRITABLE');

const READY_EXAMPLE = {
  status: 'ok',
  info: { event_store: { status: 'up' } },
  error: {},
  details: { event_store: { status: 'up' } },
};

/** Liveness and readiness, the same on both apps, so each port can be probed on its own. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(STORE_IS_WRITABLE) private readonly storeIsWritable: () => boolean,
  ) {}

  /** Ready to take orders: the event store can write. A store that cannot write would lose them. */
  @Get()
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness: the process answers and the event store can write' })
  @ApiOkResponse({ description: 'Ready', schema: { example: READY_EXAMPLE } })
  @ApiErrorResponse(503, 'Not ready: the message names what is down')
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.eventStore()]).catch((error: unknown) => {
      throw new ServiceUnavailableException(notReady(error));
    });
  }

  /** Alive: the process answers. Restarting it is the only cure when this fails. */
  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({
    description: 'Alive',
    schema: { example: { status: 'ok', info: {}, error: {}, details: {} } },
  })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  private eventStore(): HealthIndicatorResult {
    const check = this.indicators.check('event_store');
    return this.storeIsWritable() ? check.up() : check.down({ message: 'cannot write' });
  }
}

/**
 * Terminus refuses with the whole result as the body; errors here leave as
 * `{statusCode, error, message}` like every other, the message naming what is down.
 */
function notReady(error: unknown): string[] {
  const response = (error as ServiceUnavailableException).getResponse?.() as
    Partial<HealthCheckResult> | undefined;
  const down = Object.entries(response?.error ?? {}).map(
    ([name, result]) => `${name}: ${String(result?.message ?? 'down')}`,
  );
  return down.length > 0 ? down : [`not ready: ${response?.status ?? String(error)}`];
}
