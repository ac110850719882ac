package io.shepherd.manager.site;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodeSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A short-lived child that collects the hosts' answers on whether they could run some node specs
 * (their types known and allowed, their executables allowed), and answers once with every problem
 * found, each naming the node and the host; a host that does not answer in time is a problem too.
 * The Manager sends the hosts the specs, with this child as the one to answer.
 */
public final class SpecCheck {

  /** The specs to check on one host, each with the node path it is for. */
  public record Request(String hostId, List<String> paths, List<NodeSpec> specs) {}

  private enum Timeout { INSTANCE }

  private SpecCheck() {}

  /**
   * @param done gets the list of problems (empty: every host can run what it was asked)
   */
  public static Behavior<Object> create(List<Request> requests, Duration timeout, Function<List<String>, Object> done,
                                        ActorRef<Object> replyTo) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      Map<String, Request> waiting = new HashMap<>();
      List<String> problems = new ArrayList<>();
      for (Request request : requests) {
        waiting.put(request.hostId(), request);
      }
      if (waiting.isEmpty()) {
        replyTo.tell(done.apply(problems));
        return Behaviors.stopped();
      }
      timers.startSingleTimer(Timeout.INSTANCE, timeout);
      return Behaviors.receive(Object.class)
          .onMessage(ManagerProtocol.SpecsChecked.class, checked -> {
            Request request = waiting.remove(checked.hostId());
            if (request != null) {
              checked.problems().forEach(p -> problems.add("node " + request.paths().get(p.index()) + ": " + p.message()));
            }
            if (!waiting.isEmpty()) {
              return Behaviors.same();
            }
            replyTo.tell(done.apply(problems));
            return Behaviors.stopped();
          })
          .onMessageEquals(Timeout.INSTANCE, () -> {
            waiting.keySet().stream().sorted().forEach(h -> problems.add("host " + h + " did not answer the check of the node "
                + "types and executables within " + timeout.toSeconds() + " s"));
            replyTo.tell(done.apply(problems));
            return Behaviors.stopped();
          })
          .build();
    }));
  }
}
