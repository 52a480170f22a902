import type { IncomingMessage } from 'node:http';
import { Injectable, type PipeTransform } from '@nestjs/common';
import { TrustedProxies } from './client-address';
import { clientAddressOf } from './request-context';

/** `@NodeRequest(ClientAddressPipe) address: string`: the client as TRUSTED_PROXIES allows us to see it. */
@Injectable()
export class ClientAddressPipe implements PipeTransform<IncomingMessage, string> {
  constructor(private readonly trusted: TrustedProxies) {}

  transform(request: IncomingMessage): string {
    return clientAddressOf(request, this.trusted);
  }
}
