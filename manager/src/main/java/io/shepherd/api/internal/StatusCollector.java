package io.shepherd.api.internal;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodeStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A short-lived actor that gathers the parts of a status answer into one {@link ClusterStatus}.
 * It stops once complete, or once {@code result} is completed elsewhere (on timeout).
 */
public final class StatusCollector {

  private StatusCollector() {}

  public static Behavior<ManagerProtocol.StatusPart> create(CompletableFuture<ClusterStatus> result) {
    return Behaviors.setup(ctx -> {
      List<ManagerProtocol.StatusPart> received = new ArrayList<>();
      return Behaviors.receive(ManagerProtocol.StatusPart.class)
          .onMessage(ManagerProtocol.StatusPart.class, part -> {
            received.add(part);
            if (!result.isDone() && received.size() < part.parts()) {
              return Behaviors.same();
            }
            if (!result.isDone()) {
              // Part 0 carries the manager, members, hosts and groups; every part carries nodes.
              // The Manager sorts the nodes; the parts hold consecutive slices.
              received.sort(Comparator.comparingInt(ManagerProtocol.StatusPart::part));
              ClusterStatus first = received.get(0).status();
              List<NodeStatus> nodes = new ArrayList<>();
              received.forEach(r -> nodes.addAll(r.status().nodes()));
              result.complete(new ClusterStatus(first.manager(), first.members(), first.hosts(), first.groups(), nodes,
                  first.converged(), first.logs()));
            }
            return Behaviors.stopped();
          })
          .build();
    });
  }
}
