package io.shepherd.manager.internal;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.HostRequest;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodePath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Log levels at run time (Architect's {@code set_log_level}): of one node, of one host, or of one
 * logger on every host. The Manager finds the hosts, each applies the level and answers with all
 * the levels it has set, which the Manager keeps for status (a host reports them again in its
 * snapshot, so a new Manager knows them too). The caller is answered once every host has.
 */
public final class LogLevelCalls {

  /** A host's answer to one call. */
  public record Answered(long call, String hostId, ManagerProtocol.Reply reply, Throwable error)
      implements ManagerProtocol.Command, NoSerializationVerificationNeeded {}

  /** A call waiting for its hosts. */
  private static final class Pending {
    final ActorRef<ManagerProtocol.Reply> replyTo;
    int waiting;
    final List<String> done = new ArrayList<>();
    ManagerProtocol.Failed failed;

    Pending(ActorRef<ManagerProtocol.Reply> replyTo, int waiting) {
      this.replyTo = replyTo;
      this.waiting = waiting;
    }
  }

  private final ManagerParts parts;
  private final Map<Long, Pending> pending = new HashMap<>();
  private long calls;

  public LogLevelCalls(ManagerParts parts) {
    this.parts = parts;
  }

  /** A call from a client: its target resolved to hosts, the level sent to each; a bad target or level changes nothing. */
  public void set(ManagerProtocol.SetLogLevel set) {
    Registry registry = parts.registry();
    String level;
    try {
      level = HostRequest.checkLevel(set.level());
    } catch (IllegalArgumentException e) {
      Replies.fail(set.replyTo(), ErrorCode.INVALID_ARGUMENT, e.getMessage());
      return;
    }
    String target = set.target() == null ? "" : set.target().trim();
    List<HostEntry> hosts = new ArrayList<>();
    String hostTarget;
    Optional<ManagerProtocol.Failed> problem = Optional.empty();
    if (target.startsWith("logger:")) {
      hostTarget = target;
      registry.hosts().stream().filter(HostEntry::up).forEach(hosts::add);
      if (hosts.isEmpty()) {
        problem = Optional.of(new ManagerProtocol.Failed(ErrorCode.HOST_UNAVAILABLE, "no host is up to set " + target + " on"));
      }
    } else if (target.contains("/")) {
      hostTarget = "node:" + target;
      NodePath path;
      try {
        path = NodePath.parse(target);
      } catch (IllegalArgumentException e) {
        Replies.fail(set.replyTo(), ErrorCode.INVALID_ARGUMENT, e.getMessage());
        return;
      }
      problem = registry.nodeProblem(path, true);
      if (problem.isEmpty()) {
        hosts.add(registry.hostEntryOf(registry.node(path)));
      }
    } else {
      hostTarget = HostRequest.HOST_TARGET;
      problem = registry.hostProblem(target, "log level").map(why -> new ManagerProtocol.Failed(
          registry.host(target) == null ? ErrorCode.NO_SUCH_HOST : ErrorCode.HOST_UNAVAILABLE, why));
      if (problem.isEmpty()) {
        hosts.add(registry.host(target));
      }
    }
    HostRequest.SetLogLevel request;
    try {
      request = new HostRequest.SetLogLevel(hostTarget, level);
    } catch (IllegalArgumentException e) {
      Replies.fail(set.replyTo(), ErrorCode.INVALID_ARGUMENT, e.getMessage());
      return;
    }
    if (problem.isPresent()) {
      Replies.reply(set.replyTo(), problem.get());
      return;
    }
    long call = ++calls;
    pending.put(call, new Pending(set.replyTo(), hosts.size()));
    for (HostEntry host : hosts) {
      parts.ctx().ask(ManagerProtocol.Reply.class, host.ref(), parts.settings().callTimeout(),
          replyTo -> new HostProtocol.HostCall(parts.link().epoch(), request, replyTo),
          (reply, error) -> new Answered(call, host.id(), reply, error));
    }
  }

  /** A host answered (or did not in time): its levels kept; the caller answered once every host has. */
  public void answered(Answered answered) {
    HostEntry host = parts.registry().host(answered.hostId());
    if (answered.reply() instanceof ManagerProtocol.HostAnswer answer && host != null) {
      host.logLevels(answer.logLevels());
    }
    Pending call = pending.get(answered.call());
    if (call == null) {
      return;
    }
    if (answered.reply() instanceof ManagerProtocol.HostAnswer answer) {
      call.done.add(answer.message());
    } else if (call.failed == null) {
      call.failed = answered.reply() instanceof ManagerProtocol.Failed failed ? failed
          : new ManagerProtocol.Failed(ErrorCode.TIMEOUT, "host " + answered.hostId() + " did not answer: " + answered.error());
    }
    if (--call.waiting == 0) {
      pending.remove(answered.call());
      Replies.reply(call.replyTo, call.failed != null ? call.failed : new ManagerProtocol.Ok(String.join("; ", call.done), null));
    }
  }
}
