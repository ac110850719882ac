package io.shepherd.manager.internal;

import akka.actor.typed.ActorRef;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.ManagerProtocol.Reply;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.Site;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A NodeGroup at the Manager: where it is placed, who owns it, whether its host reports it, and
 * where it is in its life at the Manager. Changed only through methods named for what happened.
 */
public final class GroupEntry {

  private final GroupPath path;
  private final boolean persistent;
  private final String owner;
  private String host;
  private final Life life;
  private boolean observed;
  private final Resend resend = new Resend();
  private final Map<String, String> types = new TreeMap<>();

  private GroupEntry(GroupPath path, String host, boolean persistent, String owner, Life life) {
    this.path = path;
    this.host = host;
    this.persistent = persistent;
    this.owner = owner;
    this.life = life;
  }

  /** A group a client asked for, on {@code host}: being created until the host reports it. */
  public static GroupEntry creating(GroupPath path, String host, boolean persistent, String owner, ActorRef<Reply> replyTo, long now) {
    GroupEntry group = new GroupEntry(path, host, persistent, persistent ? null : owner, Life.creating(replyTo, now));
    group.resend.sent(now);
    return group;
  }

  /** A group a site file declares, on {@code host} (null: none is up yet): desired state at once. */
  public static GroupEntry declared(GroupPath path, String host) {
    return new GroupEntry(path, host, true, Site.OWNER, Life.present());
  }

  /** A group of desired state, as a new Manager incarnation loads it. */
  public static GroupEntry of(DesiredGroup desired) {
    GroupEntry group = new GroupEntry(desired.path(), desired.host(), desired.persistent(), desired.owner(), Life.present());
    group.types.putAll(desired.types());
    return group;
  }

  public DesiredGroup desired() {
    return new DesiredGroup(path, host, persistent, owner, types);
  }

  /** The node types registered in the group at run time, name to class. */
  public Map<String, String> types() {
    return Collections.unmodifiableMap(types);
  }

  /** {@code name} stands for {@code className} in the nodes created in this group from now on. */
  public void registerType(String name, String className) {
    types.put(name, className);
  }

  /** What a node of {@code spec} created in this group runs: a registered type name becomes its class. */
  public NodeSpec resolve(NodeSpec spec) {
    String className = types.get(spec.type());
    return className == null ? spec : spec.withType(className);
  }

  public GroupPath path() {
    return path;
  }

  /** The host it is assigned to, or null while an {@code any} group waits for one. */
  public String host() {
    return host;
  }

  public boolean persistent() {
    return persistent;
  }

  /** The session that owns it (removed with it), {@link Site#OWNER} for a site file's, or null. */
  public String owner() {
    return owner;
  }

  public boolean declaredBySite() {
    return Site.OWNER.equals(owner);
  }

  /** True if it goes when the session {@code clientId} goes. */
  public boolean ownedBy(String clientId) {
    return !persistent && clientId.equals(owner);
  }

  public Phase phase() {
    return life.phase();
  }

  /** True while its host reports it. */
  public boolean observed() {
    return observed;
  }

  /** Its host reports it, or no longer does. */
  public void observed(boolean reported) {
    observed = reported;
  }

  /** Placed on another host (its own went down): nothing of it runs there yet. */
  public void moveTo(String newHost) {
    host = newHost;
    observed = false;
    resend.now();
  }

  /** Its host created it and it is in desired state. */
  public void present() {
    life.toPresent();
  }

  /** Out of desired state, its host removing it; false if it already was. */
  public boolean startRemoval(ActorRef<Reply> replyTo) {
    return life.startRemoval(replyTo);
  }

  /** The callers waiting for its removal, taken. */
  public List<ActorRef<Reply>> takeRemoveReplies() {
    return life.takeRemoveReplies();
  }

  /** True while a caller waits for its creation. */
  public boolean awaitsCreation() {
    return life.awaitsCreation();
  }

  /** The caller waiting for its creation, taken (null if none is). */
  public ActorRef<Reply> takeCreateReply() {
    return life.takeCreateReply();
  }

  /** True if its creation has waited longer than {@code limitNanos} at {@code now}. */
  public boolean createOverdue(long now, long limitNanos) {
    return life.createOverdue(now, limitNanos);
  }

  /** When a command to its host was last sent, for resending. */
  public Resend resend() {
    return resend;
  }
}
