package io.shepherd.manager.internal;

import io.shepherd.protocol.CborSerializable;
import io.shepherd.protocol.GroupPath;

/**
 * The desired state of a NodeGroup, as replicated among manager members.
 *
 * @param path the group's path
 * @param host the host it is assigned to (its placement, or the host chosen for an {@code any}
 *     group), or null while an {@code any} group waits for a host
 * @param persistent true if it outlives its owner
 * @param owner the unique address of the client that created it, or null
 */
public record DesiredGroup(GroupPath path, String host, boolean persistent, String owner) implements CborSerializable {

  public DesiredGroup withHost(String newHost) {
    return new DesiredGroup(path, newHost, persistent, owner);
  }
}
