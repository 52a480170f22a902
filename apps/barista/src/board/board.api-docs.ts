import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiProperty } from '@nestjs/swagger';
import { OrderResponse } from '@cafe/http';

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

/** The API documents of the board's page, its files and its starting state. */
export const ApiBoard = {
  file: (summary: string, contentType: string) =>
    applyDecorators(
      ApiOperation({ summary }),
      ApiProduces(contentType),
      ApiOkResponse({ description: `The ${contentType} file` }),
    ),
  state: () =>
    applyDecorators(
      ApiOperation({ summary: 'What the board shows now; it then follows /events/stream' }),
      ApiOkResponse({ description: 'The orders on the board', type: BoardStateResponse }),
    ),
};
