package io.shepherd.manager.internal;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.shepherd.protocol.CborSerializable;
import io.shepherd.protocol.GroupPath;
import java.util.Map;

/**
 * The desired state of a NodeGroup, as replicated among manager members.
 *
 * @param path the group's path
 * @param host the host it is assigned to (its placement, or the host chosen for an {@code any}
 *     group), or null while an {@code any} group waits for a host
 * @param persistent true if it outlives its owner
 * @param owner the unique address of the client that created it, or null
 * @param types the node types registered in it at run time, name to class
 */
public record DesiredGroup(GroupPath path, String host, boolean persistent, String owner, Map<String, String> types)
    implements CborSerializable {

  @JsonCreator
  public DesiredGroup {
    types = types == null ? Map.of() : Map.copyOf(types);
  }

  /** A group with no registered types. */
  public DesiredGroup(GroupPath path, String host, boolean persistent, String owner) {
    this(path, host, persistent, owner, Map.of());
  }

  public DesiredGroup withHost(String newHost) {
    return new DesiredGroup(path, newHost, persistent, owner, types);
  }
}
