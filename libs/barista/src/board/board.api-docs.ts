import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty } from '@nestjs/swagger';
import { OrderResponse } from '@cafe/http';
import { ApiStaffOnly } from '../staff/api-staff-only';

export class BoardStateResponse {
  @ApiProperty({ example: 218, description: 'The log position this state reflects' })
  position!: number;
  @ApiProperty({ example: 20, description: 'How many ready orders the board shows' })
  ready_shown!: number;
  @ApiProperty({
    type: [OrderResponse],
    description: 'Queued and brewing orders in placement order, then the last ready, newest first',
  })
  orders!: OrderResponse[];
}

/** The API documents of the board's starting state. */
export const ApiBoard = {
  state: () =>
    applyDecorators(
      ApiStaffOnly(),
      ApiOperation({ summary: 'What the board shows now; it then follows /events/stream' }),
      ApiOkResponse({ description: 'The orders on the board', type: BoardStateResponse }),
    ),
};
