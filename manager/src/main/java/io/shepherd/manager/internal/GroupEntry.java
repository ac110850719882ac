package io.shepherd.manager.internal;

import akka.actor.typed.ActorRef;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.ManagerProtocol;
import java.util.ArrayList;
import java.util.List;

/** A NodeGroup, desired and observed. Mutable; owned by the Manager actor. */
public final class GroupEntry {

  public final GroupPath path;
  public final boolean persistent;
  public final String owner;
  /** The host it is assigned to, or null while an {@code any} group waits for one. */
  public String host;
  public Phase phase;
  /** True while its host reports it. */
  public boolean observed;
  public long createdAt;
  public long lastSent;
  public ActorRef<ManagerProtocol.Reply> createReply;
  public final List<ActorRef<ManagerProtocol.Reply>> removeReplies = new ArrayList<>();

  public GroupEntry(GroupPath path, String host, boolean persistent, String owner, Phase phase) {
    this.path = path;
    this.host = host;
    this.persistent = persistent;
    this.owner = owner;
    this.phase = phase;
  }

  public static GroupEntry of(DesiredGroup desired) {
    return new GroupEntry(desired.path(), desired.host(), desired.persistent(), desired.owner(), Phase.PRESENT);
  }

  public DesiredGroup desired() {
    return new DesiredGroup(path, host, persistent, owner);
  }
}
