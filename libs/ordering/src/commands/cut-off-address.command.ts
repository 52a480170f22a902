import { Command } from '@nestjs/cqrs';

/**
 * An address was blocked as a flood: cancel every order of it that no barista has started
 * (reason `flood`), so the flood stops costing barista time. Resolves with how many were cancelled.
 */
export class CutOffAddressCommand extends Command<number> {
  constructor(public readonly clientAddress: string) {
    super();
  }
}
