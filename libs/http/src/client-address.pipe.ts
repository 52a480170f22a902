import { Injectable, type PipeTransform } from '@nestjs/common';
import { type Connection, resolveClientAddress, TrustedProxies } from './client-address';

/** `@PeerConnection(ClientAddressPipe) address: string`: the client as TRUSTED_PROXIES allows us to see it. */
@Injectable()
export class ClientAddressPipe implements PipeTransform<Connection, string> {
  constructor(private readonly trusted: TrustedProxies) {}

  transform(connection: Connection): string {
    return resolveClientAddress(connection, this.trusted);
  }
}
