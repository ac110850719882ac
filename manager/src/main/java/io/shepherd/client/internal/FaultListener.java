package io.shepherd.client.internal;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.shepherd.protocol.Fault;
import java.util.List;
import java.util.Queue;
import java.util.function.Consumer;

/** The actor that receives the faults of the nodes a client manages: queues them and pushes them to subscribers. */
public final class FaultListener {

  private FaultListener() {}

  public static Behavior<Fault> create(Queue<Fault> queue, List<Consumer<Fault>> subscribers) {
    return Behaviors.setup(ctx -> Behaviors.receive(Fault.class)
        .onMessage(Fault.class, fault -> {
          queue.add(fault);
          for (Consumer<Fault> subscriber : subscribers) {
            try {
              subscriber.accept(fault);
            } catch (RuntimeException e) {
              ctx.getLog().warn("a fault subscriber threw {}", e.toString());
            }
          }
          return Behaviors.same();
        })
        .build());
  }
}
