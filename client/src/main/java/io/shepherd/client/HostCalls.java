package io.shepherd.client;

import static io.shepherd.client.Calls.parse;

import io.shepherd.protocol.Api;
import io.shepherd.protocol.HostRequest;
import io.shepherd.protocol.Names;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The calls to one host (the Architect node's host side): ports reserved for clients and nodes, and
 * the environment of the processes it starts. From {@link ShepherdClient#host(String)}; a malformed
 * host id or argument fails the stage with {@link ShepherdException.InvalidArgument}, a host that is
 * not registered with {@link ShepherdException.UnknownHost}. Thread-safe.
 */
public final class HostCalls {

  private final Http http;
  private final String hostId;

  HostCalls(Http http, String hostId) {
    this.http = http;
    this.hostId = hostId;
  }

  /** The host these calls go to. */
  public String hostId() {
    return hostId;
  }

  /** Reserves {@code count} free TCP ports on the host until released. */
  public CompletionStage<List<Integer>> bindTcp(int count) {
    return call("POST", "/ports", () -> new HostRequest.BindPorts(false, count), new Api.BindPorts("tcp", count))
        .thenApply(Api.HostAnswer::ports);
  }

  /** Reserves {@code count} free UDP ports on the host until released. */
  public CompletionStage<List<Integer>> bindUdp(int count) {
    return call("POST", "/ports", () -> new HostRequest.BindPorts(true, count), new Api.BindPorts("udp", count))
        .thenApply(Api.HostAnswer::ports);
  }

  /** Releases ports reserved with {@link #bindTcp} ({@code udp} false) or {@link #bindUdp}; completes with those released. */
  public CompletionStage<List<Integer>> release(boolean udp, List<Integer> ports) {
    return call("POST", "/ports/release", () -> new HostRequest.ReleasePorts(udp, ports),
        new Api.ReleasePorts(udp ? "udp" : "tcp", ports)).thenApply(Api.HostAnswer::ports);
  }

  /** The ports reserved on the host ({@code udp} false: TCP), in ascending order: by clients, and the named ports of its nodes. */
  public CompletionStage<List<Integer>> reservedPorts(boolean udp) {
    return call("GET", "/ports?protocol=" + (udp ? "udp" : "tcp"), () -> new HostRequest.ListPorts(udp), null)
        .thenApply(Api.HostAnswer::ports);
  }

  /** The value the host sets for an environment variable of the processes it starts, if it sets one. */
  public CompletionStage<Optional<String>> getEnv(String name) {
    if (name == null) {
      return Calls.invalid("a variable name is required");
    }
    return environment().thenCompose(env -> parse(() -> new HostRequest.GetEnv(name)).thenApply(r -> Optional.ofNullable(env.get(name))));
  }

  /** Every variable the host sets for the processes it starts. */
  public CompletionStage<Map<String, String>> environment() {
    return call("GET", "/env", () -> new HostRequest.GetEnv(null), null).thenApply(Api.HostAnswer::env);
  }

  /** Sets ({@code value} null: removes) a variable for the processes the host starts from now on. */
  public CompletionStage<Void> setEnv(String name, String value) {
    return parse(() -> new HostRequest.SetEnv(name, value)).thenCompose(checked -> value == null
        ? call("DELETE", "/env/" + name, () -> checked, null)
        : call("PUT", "/env/" + name, () -> checked, new Api.EnvValue(value))).thenApply(a -> null);
  }

  private CompletionStage<Api.HostAnswer> call(String method, String path, Supplier<HostRequest> check, Object body) {
    return parse(() -> Names.checkHostId(hostId)).thenCompose(id -> parse(check))
        .thenCompose(checked -> http.call(method, Api.PREFIX + "/hosts/" + hostId + path, body, Api.HostAnswer.class));
  }
}
