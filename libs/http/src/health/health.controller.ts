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
import { OpenRoute } from '../open-route';

/** Injects the `Readiness` of the core. */
export const READINESS = Symbol('READINESS');

/** What readiness asks of the core. */
export interface Readiness {
  storeIsWritable(): boolean;
  /** What the store keeps of the café's history (historyKept). */
  readonly storeKeeps: string;
  /** Only for the app that takes orders: false while the café drains. */
  takingOrders?: () => boolean;
  /** True while the customer port holds all the descriptors it may and drops new connections. */
  customerPortFull(): boolean;
}

const EXAMPLE_KEEPS = 'the live orders and the last 10000 events only: older orders are let go';
const READY_EXAMPLE = {
  status: 'ok',
  info: { event_store: { status: 'up', keeps: EXAMPLE_KEEPS }, customer_port: { status: 'up' } },
  error: {},
  details: { event_store: { status: 'up', keeps: EXAMPLE_KEEPS }, customer_port: { status: 'up' } },
};

/** Liveness and readiness, the same on both apps, so each port can be probed on its own. */
@Controller('health')
@OpenRoute()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS) private readonly readiness: Readiness,
  ) {}

  /**
   * Ready: the event store can write (a store that cannot would lose orders), the customer port
   * accepts connections (both apps say so: the customer port's own probe cannot get in then)
   * and, on the customer app, the café is not draining.
   */
  @Get()
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    summary:
      'Readiness: the event store can write, the customer port accepts connections, and (customer app) the café is not draining',
  })
  @ApiOkResponse({ description: 'Ready', schema: { example: READY_EXAMPLE } })
  @ApiErrorResponse(503, 'Not ready: the message names what is down')
  ready(): Promise<HealthCheckResult> {
    const { takingOrders } = this.readiness;
    const checks = [() => this.eventStore(), () => this.customerPort()];
    if (takingOrders) checks.push(() => this.orders(takingOrders()));
    return this.health.check(checks).catch((error: unknown) => {
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
    const keeps = this.readiness.storeKeeps;
    return this.readiness.storeIsWritable()
      ? check.up({ keeps })
      : check.down({ message: 'cannot write', keeps });
  }

  private customerPort(): HealthIndicatorResult {
    const check = this.indicators.check('customer_port');
    return this.readiness.customerPortFull()
      ? check.down({ message: 'refusing new connections: it holds all the descriptors it may' })
      : check.up();
  }

  private orders(taking: boolean): HealthIndicatorResult {
    const check = this.indicators.check('orders');
    return taking ? check.up() : check.down({ message: 'draining' });
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
