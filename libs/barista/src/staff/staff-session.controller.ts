import { Controller, Get } from '@nestjs/common';
import { PageFile, readPageFile } from '../page-file';

/** The sign-in and live-stream code that the board and the station share. */
@Controller()
export class StaffSessionController {
  private readonly script = readPageFile(__dirname, 'staff-session.js');
  private readonly style = readPageFile(__dirname, 'staff-session.css');

  @Get('staff-session.js')
  @PageFile("The barista pages' sign-in and live stream", 'text/javascript')
  js(): string {
    return this.script;
  }

  @Get('staff-session.css')
  @PageFile("The barista pages' sign-in dialog style", 'text/css')
  css(): string {
    return this.style;
  }
}
