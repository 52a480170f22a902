import { Controller, Get } from '@nestjs/common';
import { PageFile, readPageFile } from '../page-file';

/**
 * The station: a tablet page at the machine where a barista takes the next order and says when
 * it is ready. It starts from /board/state and follows /events/stream, like the board.
 */
@Controller()
export class StationController {
  private readonly page = readPageFile(__dirname, 'station.html');
  private readonly style = readPageFile(__dirname, 'station.css');
  private readonly script = readPageFile(__dirname, 'station.js');

  @Get('station')
  @PageFile("The baristas' station page", 'text/html')
  index(): string {
    return this.page;
  }

  @Get('station.css')
  @PageFile("The station's style sheet", 'text/css')
  css(): string {
    return this.style;
  }

  @Get('station.js')
  @PageFile("The station's script", 'text/javascript')
  js(): string {
    return this.script;
  }
}
