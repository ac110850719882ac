package io.shepherd.manager;

import akka.cluster.UniqueAddress;

/** The id of a client: its member's unique address, so that a restarted client is another one. */
public final class ClientIds {

  private ClientIds() {}

  public static String of(UniqueAddress address) {
    return address.address() + "#" + address.longUid();
  }
}
