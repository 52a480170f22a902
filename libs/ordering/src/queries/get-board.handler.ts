import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { BoardProjection, READY_SHOWN } from '../projections/board.projection';
import { type BoardSnapshot, GetBoardQuery } from './get-board.query';

@QueryHandler(GetBoardQuery)
export class GetBoardHandler implements IQueryHandler<GetBoardQuery> {
  constructor(private readonly board: BoardProjection) {}

  async execute(): Promise<BoardSnapshot> {
    return { position: this.board.position, orders: this.board.orders(), readyShown: READY_SHOWN };
  }
}
