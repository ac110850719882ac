package io.shepherd.manager.internal;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.shepherd.protocol.CborSerializable;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;

/**
 * The desired state of a node, as replicated among manager members.
 *
 * @param path the node's path
 * @param spec what the node is
 * @param requested the state it should be in
 * @param seq the number of its latest request; hosts ignore older ones
 * @param managedBy the client that took it in MANAGED mode, or null
 * @param declared the target state its site file declares, or null if no site file declares it
 * @param formerManager the manager that lost the node to the one managing it now (its requests are
 *     refused until it takes the node back), or null
 */
public record DesiredNode(NodePath path, NodeSpec spec, NodeState requested, long seq, String managedBy, NodeState declared,
                          String formerManager)
    implements CborSerializable {

  @JsonCreator
  public DesiredNode {}

  /** A node no manager lost. */
  public DesiredNode(NodePath path, NodeSpec spec, NodeState requested, long seq, String managedBy, NodeState declared) {
    this(path, spec, requested, seq, managedBy, declared, null);
  }
}
