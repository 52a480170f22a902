import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetBoardQuery } from '@cafe/ordering';
import { toOrderResponse } from '@cafe/http';
import { PageFile, readPageFile } from '../page-file';
import { ApiBoard, BoardStateResponse } from './board.api-docs';

/** The order board for a screen on the café wall: plain HTML, CSS and a small script, read once at start. */
@Controller()
export class BoardController {
  private readonly page = readPageFile(__dirname, 'index.html');
  private readonly style = readPageFile(__dirname, 'board.css');
  private readonly script = readPageFile(__dirname, 'board.js');

  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @PageFile('The order board page', 'text/html')
  index(): string {
    return this.page;
  }

  @Get('board.css')
  @PageFile("The board's style sheet", 'text/css')
  css(): string {
    return this.style;
  }

  @Get('board.js')
  @PageFile("The board's script", 'text/javascript')
  js(): string {
    return this.script;
  }

  /** What the board and the station start from; they then follow `/events/stream?after=<position>`. */
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
