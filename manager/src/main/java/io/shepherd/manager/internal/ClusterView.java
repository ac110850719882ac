package io.shepherd.manager.internal;

import akka.actor.Address;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import io.shepherd.protocol.ClusterStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;

/** What status says of the cluster itself: the Manager and its backup, the members, convergence. */
public final class ClusterView implements Hosts.Membership {

  private final Cluster cluster;
  private final long epoch;

  public ClusterView(Cluster cluster, long epoch) {
    this.cluster = cluster;
    this.epoch = epoch;
  }

  /** This Manager, and the member that would take over from it. */
  public ClusterStatus.Manager manager() {
    Member self = cluster.selfMember();
    String backup = StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .filter(m -> m.hasRole("manager") && m.status() == MemberStatus.up() && !m.equals(self))
        .sorted((a, b) -> a.isOlderThan(b) ? -1 : b.isOlderThan(a) ? 1 : 0)
        .map(m -> m.address().toString())
        .findFirst().orElse(null);
    return new ClusterStatus.Manager(self.address().toString(), epoch, backup);
  }

  /** True if every member has seen this member's current gossip: they agree on the membership. */
  public boolean converged() {
    ClusterEvent.CurrentClusterState state = cluster.state();
    Set<Address> seenBy = state.getSeenBy();
    for (Member member : state.getMembers()) {
      if (!seenBy.contains(member.address()) || state.getUnreachable().contains(member)) {
        return false;
      }
    }
    return true;
  }

  public List<ClusterStatus.Member> members() {
    Set<Member> unreachable = cluster.state().getUnreachable();
    List<ClusterStatus.Member> list = new ArrayList<>();
    for (Member member : cluster.state().getMembers()) {
      list.add(new ClusterStatus.Member(member.address().toString(), roles(member), member.status().toString(),
          !unreachable.contains(member)));
    }
    list.sort(Comparator.comparing(ClusterStatus.Member::address));
    return list;
  }

  /** A member's roles, without Akka's data-centre role. */
  public static List<String> roles(Member member) {
    return member.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList();
  }

  @Override
  public boolean up(String address, long uid) {
    for (Member member : cluster.state().getMembers()) {
      if (member.address().toString().equals(address) && member.uniqueAddress().longUid() == uid) {
        return (member.status() == MemberStatus.up() || member.status() == MemberStatus.weaklyUp())
            && !cluster.state().getUnreachable().contains(member);
      }
    }
    return false;
  }
}
