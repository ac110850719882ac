package io.shepherd.host.internal;

import akka.actor.typed.ActorRef;
import io.shepherd.host.HostSettings;
import io.shepherd.host.NodeTypeException;
import io.shepherd.host.NodeTypes;
import io.shepherd.host.internal.process.ProcessHost;
import io.shepherd.node.Node;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * What every NodeGroup and NodeRunner of a host shares: settings, Java node types, what process
 * nodes share, and where events go.
 */
public record HostEnvironment(HostSettings settings, NodeTypes types, ProcessHost processes, ActorRef<NodeEvent> events) {

  /** An environment whose process nodes share a new {@link ProcessHost} (tests). */
  public HostEnvironment(HostSettings settings, NodeTypes types, ActorRef<NodeEvent> events) {
    this(settings, types, new ProcessHost(settings), events);
  }

  public String hostId() {
    return settings.hostId();
  }

  /**
   * A new instance of the node {@code spec} describes: a Java node of its type, or a process node.
   * Blocking (class loading, file look-ups): call it on node threads.
   *
   * @throws io.shepherd.host.NodeTypeException if the type or executable is unknown or not allowed here
   * @throws Exception whatever the node's constructor throws
   */
  public Node newNode(NodePath path, NodeSpec spec) throws Exception {
    return spec.forProcess() ? processes.newNode(path, spec) : types.newInstance(spec.type());
  }

  /**
   * Checks that this host can run {@code spec}, loading its class if needed. Blocking.
   *
   * @throws io.shepherd.host.NodeTypeException saying why it cannot
   */
  public void check(NodeSpec spec) throws NodeTypeException {
    if (spec.forProcess()) {
      processes.check(spec.process());
    } else {
      types.check(spec.type());
    }
  }

  /** Checks every spec (see {@link #check}); the problems by index in {@code specs}. Blocking. */
  public ManagerProtocol.SpecsChecked checkAll(List<NodeSpec> specs) {
    List<ManagerProtocol.SpecProblem> problems = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      try {
        check(specs.get(i));
      } catch (NodeTypeException e) {
        problems.add(new ManagerProtocol.SpecProblem(i, e.code(), e.getMessage()));
      } catch (RuntimeException e) {
        problems.add(new ManagerProtocol.SpecProblem(i, ErrorCode.INVALID_ARGUMENT, e.toString()));
      }
    }
    return new ManagerProtocol.SpecsChecked(hostId(), problems);
  }
}
