package io.shepherd.manager.internal;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Names;
import io.shepherd.protocol.NodeSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Node types registered in a NodeGroup at run time (pyacq's {@code register_node_type_from_module}):
 * the group's host checks the class first — it loads, its package is on the host's allow-list, it
 * is a usable Node — and only then is the name kept with the group in desired state, so that it
 * outlives a Manager failover and a host restart. Nodes created in the group later may name the
 * type; they run its class. Runs only inside the Manager's message handling.
 */
public final class TypeRegistrations {

  /** The host's verdict on a class being registered: back to the Manager ({@code problem} empty: usable). */
  public record Checked(ManagerProtocol.RegisterType register, Optional<ManagerProtocol.SpecProblem> problem)
      implements ManagerProtocol.Command, NoSerializationVerificationNeeded {}

  private enum Timeout { INSTANCE }

  private final ManagerParts parts;
  private final Registry registry;

  public TypeRegistrations(ManagerParts parts) {
    this.parts = parts;
    this.registry = parts.registry();
  }

  /** Checks the call, then asks the group's host whether it can run the class; nothing is registered yet. */
  public void register(ManagerProtocol.RegisterType register) {
    GroupEntry group = registry.group(register.group());
    Optional<String> invalid = invalid(register);
    if (group == null) {
      Replies.fail(register.replyTo(), ErrorCode.NO_SUCH_GROUP, "no group " + register.group());
    } else if (group.phase() != Phase.PRESENT) {
      Replies.fail(register.replyTo(), ErrorCode.BUSY, "group " + group.path() + " is being "
          + (group.phase() == Phase.CREATING ? "created" : "removed") + "; try again");
    } else if (invalid.isPresent()) {
      Replies.fail(register.replyTo(), ErrorCode.INVALID_ARGUMENT, invalid.get() + "; nothing was registered");
    } else if (group.types().containsKey(register.name()) && !group.types().get(register.name()).equals(register.className())) {
      Replies.fail(register.replyTo(), ErrorCode.DUPLICATE_NAME, "node type " + register.name() + " is already registered in group "
          + group.path() + " as " + group.types().get(register.name()) + "; nothing was changed");
    } else {
      Optional<String> hostProblem = registry.hostProblem(group.host(), "group " + group.path());
      if (hostProblem.isPresent()) {
        Replies.fail(register.replyTo(), ErrorCode.HOST_UNAVAILABLE, hostProblem.get() + "; nothing was registered");
        return;
      }
      ActorRef<ManagerProtocol.SpecsChecked> check = parts.ctx().spawnAnonymous(checkOf(register, parts.settings().specCheckTimeout(),
          parts.ctx().getSelf()));
      parts.link().send(registry.host(group.host()), epoch -> new HostProtocol.CheckSpecs(epoch,
          List.of(NodeSpec.of(register.className(), Map.of())), check));
    }
  }

  /** The host answered: the type is registered and stored, or refused with the host's reason. */
  public void onChecked(Checked checked) {
    ManagerProtocol.RegisterType register = checked.register();
    GroupEntry group = registry.group(register.group());
    if (checked.problem().isPresent()) {
      Replies.fail(register.replyTo(), checked.problem().get().code(), checked.problem().get().message() + "; nothing was registered");
      return;
    }
    if (group == null || group.phase() != Phase.PRESENT) {
      Replies.fail(register.replyTo(), ErrorCode.NO_SUCH_GROUP, "group " + register.group() + " was removed meanwhile");
      return;
    }
    group.registerType(register.name(), register.className());
    parts.desired().put(group, replicated -> Replies.reply(register.replyTo(), replicated
        ? new ManagerProtocol.Ok("registered node type " + register.name() + " (" + register.className() + ") in group " + group.path(),
            null)
        : Replies.notReplicated("node type " + register.name() + " was registered in group " + group.path())));
  }

  private static Optional<String> invalid(ManagerProtocol.RegisterType register) {
    try {
      Names.check("node type name", register.name());
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    if (register.name().contains(".") || NodeSpec.PROCESS.equals(register.name())) {
      return Optional.of("node type name '" + register.name() + "' is a class name or reserved; give a name without dots, such as "
          + "MySine");
    }
    if (register.className() == null || register.className().isBlank() || !register.className().contains(".")) {
      return Optional.of("give the fully qualified class of node type " + register.name() + ", such as org.lab.daq.MySine");
    }
    return Optional.empty();
  }

  /** A short-lived child: the host's answer, or its silence, back to the Manager as {@link Checked}. */
  private static Behavior<ManagerProtocol.SpecsChecked> checkOf(ManagerProtocol.RegisterType register,
                                                              Duration timeout, ActorRef<ManagerProtocol.Command> manager) {
    return Behaviors.<Object>setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startSingleTimer(Timeout.INSTANCE, timeout);
      return Behaviors.receive(Object.class)
          .onMessage(ManagerProtocol.SpecsChecked.class, checked -> {
            manager.tell(new Checked(register, checked.problems().stream().findFirst()));
            return Behaviors.stopped();
          })
          .onMessageEquals(Timeout.INSTANCE, () -> {
            manager.tell(new Checked(register, Optional.of(new ManagerProtocol.SpecProblem(0, ErrorCode.TIMEOUT, "host of group "
                + register.group() + " did not check class " + register.className() + " within " + timeout.toSeconds() + " s"))));
            return Behaviors.stopped();
          })
          .build();
    })).narrow();
  }
}
