import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyDecorators, Controller, Get, Header } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetBoardQuery } from '@cafe/ordering';
import { toOrderResponse } from '@cafe/http';
import { ApiBoard, BoardStateResponse } from './board.api-docs';

/** The page's files, copied next to the compiled code by nest build (nest-cli.json "assets"). */
const PUBLIC = join(__dirname, 'public');
const read = (name: string) => readFileSync(join(PUBLIC, name), 'utf8');

/** The policy keeps the page to its own origin: no CDN, nothing from outside. */
const Served = (contentType: string) =>
  applyDecorators(
    Header('content-type', `${contentType}; charset=utf-8`),
    Header('cache-control', 'no-cache'),
    Header('content-security-policy', "default-src 'self'"),
  );

/** The order board for a screen on the café wall: plain HTML, CSS and a small script, read once at start. */
@Controller()
export class BoardController {
  private readonly page = read('index.html');
  private readonly style = read('board.css');
  private readonly script = read('board.js');

  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @Served('text/html')
  @ApiBoard.file('The order board page', 'text/html')
  index(): string {
    return this.page;
  }

  @Get('board.css')
  @Served('text/css')
  @ApiBoard.file("The board's style sheet", 'text/css')
  css(): string {
    return this.style;
  }

  @Get('board.js')
  @Served('text/javascript')
  @ApiBoard.file("The board's script", 'text/javascript')
  js(): string {
    return this.script;
  }

  /** What the page starts from; it then follows `/events/stream?after=<position>`. */
  @Get('board/state')
  @ApiBoard.state()
  async state(): Promise<BoardStateResponse> {
    const board = await this.queryBus.execute(new GetBoardQuery());
    return {
      position: board.position,
      ready_shown: board.readyShown,
      orders: board.orders.map(toOrderResponse),
    };
  }
}
