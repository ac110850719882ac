package io.shepherd.api;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorSystem;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.shepherd.ShepherdConfig;
import io.shepherd.member.Certificates;
import io.shepherd.member.MemberOptions;
import io.shepherd.member.ShepherdMember;
import io.shepherd.protocol.ApiJson;
import io.shepherd.testing.TestConfig;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API of a real member (manager and host) in this JVM, over HTTPS with the cluster's
 * certificates and tokens, spoken to as any HTTP client would: every route is documented and
 * served, every bad request is answered with problem JSON and the right status and changes
 * nothing, and sessions, restart, events, logs and metrics do what they say.
 */
class ApiTest {

  @TempDir
  static Path dir;

  static ActorSystem<Void> member;
  static URI api;
  static HttpClient http;
  static String operate;
  static String read;
  static final ObjectMapper JSON = ApiJson.mapper();

  @BeforeAll
  static void start() throws Exception {
    Certificates.create(dir.resolve("certs"), List.of("daq1"), 2);
    Path tls = dir.resolve("certs").resolve("daq1");
    for (String line : Files.readAllLines(tls.resolve(Certificates.API_TOKENS))) {
      if (line.startsWith("operate ")) {
        operate = line.substring(8).strip();
      } else if (line.startsWith("read ")) {
        read = line.substring(5).strip();
      }
    }
    member = ShepherdMember.start(ShepherdMember.memberConfig(new MemberOptions("daq1", "127.0.0.1", 0, List.of(),
        Set.of("manager", "host"), null), ConfigFactory.parseString("""
            akka.coordinated-shutdown.exit-jvm = off
            akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            shepherd.api.port = 0
            shepherd.api.max-body = 64 KiB
            shepherd.api.lease-ttl-min = 1s
            shepherd.manager.reconcile-interval = 300ms
            shepherd.host.allowed-packages = ["io.shepherd.host.nodes"]
            """ + "shepherd.tls.enabled = on\nshepherd.tls.dir = \"" + tls + "\"\n"
            + "shepherd.host.work-root = \"" + dir.resolve("work") + "\"\nshepherd.logs.server.dir = \"" + dir.resolve("logs") + "\"\n")
        .withFallback(ShepherdConfig.load(TestConfig.plain()))));
    Cluster cluster = Cluster.get(member);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    api = ShepherdMember.apiUri(member).orElseThrow();
    assertEquals("https", api.getScheme());
    KeyStore trust = KeyStore.getInstance("PKCS12");
    char[] password = Files.readString(tls.resolve(Certificates.PASSWORD)).trim().toCharArray();
    try (InputStream in = Files.newInputStream(tls.resolve(Certificates.TRUST_STORE))) {
      trust.load(in, password);
    }
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, trustManagers.getTrustManagers(), null);
    http = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (cluster.selfMember().status() != MemberStatus.up() || !statusHas(s -> s.path("hosts").size() == 1)) {
      assertTrue(System.nanoTime() < deadline, "the member's host did not come up");
      Thread.sleep(100);
    }
    // Something to refuse calls on: a persistent group with a running node.
    assertEquals(201, call("POST", "/api/v1/groups", "{\"path\":\"daq1/acq\",\"persistent\":true}", operate).statusCode());
    assertEquals(201, call("POST", "/api/v1/nodes", "{\"path\":\"daq1/acq/sine\",\"spec\":{\"type\":\"sine\"},\"requested\":\"RUNNING\"}",
        operate).statusCode());
    assertEquals(200, call("POST", "/api/v1/nodes/daq1/acq/sine/request", "{\"state\":\"RUNNING\",\"await\":true}", operate).statusCode());
  }

  @AfterAll
  static void stop() throws Exception {
    member.terminate();
    member.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static HttpResponse<String> call(String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(api.resolve(path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode status() throws Exception {
    HttpResponse<String> response = call("GET", "/api/v1/status", null, read);
    assertEquals(200, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  static boolean statusHas(Predicate<JsonNode> condition) {
    try {
      return condition.test(status());
    } catch (Exception | AssertionError e) {
      return false;
    }
  }

  /** What a refused call must not change: hosts, groups, and each node's state, request, mode, request number and restarts. */
  static List<String> snapshot() throws Exception {
    JsonNode status = status();
    List<String> view = new ArrayList<>();
    status.path("hosts").forEach(h -> view.add("host " + h.path("id").asText() + " " + h.path("status").asText() + " "
        + h.path("groups").asInt() + " " + h.path("nodes").asInt()));
    status.path("groups").forEach(g -> view.add("group " + g.path("path").asText() + " " + g.path("persistent").asBoolean() + " "
        + g.path("owner").asText()));
    status.path("nodes").forEach(n -> view.add("node " + n.path("path").asText() + " " + n.path("state").asText() + " "
        + n.path("requested").asText() + " " + n.path("mode").asText() + " " + n.path("seq").asLong() + " " + n.path("restarts").asInt()
        + " " + n.path("managedBy").asText()));
    return view;
  }

  static final Map<String, Integer> TRIED = new TreeMap<>();

  /** A request that must be answered {@code status} with problem JSON of {@code code}, a detail saying {@code says}, and change nothing. */
  static void refused(String kind, int status, String code, String says, String method, String path, String body, String token)
      throws Exception {
    TRIED.merge(kind, 1, Integer::sum);
    List<String> before = snapshot();
    HttpResponse<String> response = call(method, path, body, token);
    String what = kind + ": " + method + " " + path;
    assertEquals(status, response.statusCode(), () -> what + " answered " + response.body());
    assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""), what);
    JsonNode problem = JSON.readTree(response.body());
    assertEquals(code, problem.path("code").asText(), what);
    assertEquals(status, problem.path("status").asInt(), what);
    assertTrue(problem.path("detail").asText().contains(says), () -> what + ": expected '" + says + "' in " + problem);
    assertFalse(problem.path("title").asText().isBlank(), what);
    if (operate != null && response.body().contains(operate) || read != null && response.body().contains(read)) {
      fail(what + ": a token appears in the answer");
    }
    assertEquals(before, snapshot(), () -> what + ": a refused call changed the cluster");
  }

  @Test
  void everyDocumentedRouteIsServedAndEveryRouteTheIssueNamesIsDocumented() throws Exception {
    HttpResponse<String> response = call("GET", "/api/v1/openapi.json", null, read);
    assertEquals(200, response.statusCode());
    JsonNode doc = JSON.readTree(response.body());
    assertEquals("3.0.3", doc.path("openapi").asText());
    Set<String> documented = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      for (Iterator<String> methods = path.getValue().fieldNames(); methods.hasNext(); ) {
        String method = methods.next().toUpperCase(Locale.ROOT);
        documented.add(method + " " + path.getKey());
        // Served: the route answers something other than "no such route", whatever the arguments.
        String concrete = path.getKey().replace("{host}", "nohost").replace("{group}", "g").replace("{node}", "n")
            .replace("{name}", "X").replace("{id}", "session-none");
        if (concrete.endsWith("/events") || concrete.endsWith("/logs/stream")) {
          continue; // streams: served below
        }
        HttpResponse<String> answer = call(method, concrete, method.equals("GET") || method.equals("DELETE") ? null : "{}", operate);
        assertFalse(answer.body().contains("NO_SUCH_ROUTE"), () -> method + " " + concrete + " is documented but not served: "
            + answer.body());
        assertTrue(answer.statusCode() != 405, method + " " + concrete);
        // Documented: every path parameter is declared.
        for (String name : List.of("host", "group", "node", "name", "id")) {
          if (path.getKey().contains("{" + name + "}")) {
            assertTrue(path.getValue().path(method.toLowerCase(Locale.ROOT)).path("parameters").toString()
                .contains("\"" + name + "\""), method + " " + path.getKey() + " declares " + name);
          }
        }
      }
    }
    List<String> required = List.of("GET /api/v1/status", "GET /api/v1/hosts", "GET /api/v1/groups", "POST /api/v1/groups",
        "DELETE /api/v1/groups/{host}/{group}", "GET /api/v1/nodes", "GET /api/v1/nodes/{host}/{group}/{node}", "POST /api/v1/nodes",
        "DELETE /api/v1/nodes/{host}/{group}/{node}", "POST /api/v1/nodes/{host}/{group}/{node}/configure",
        "POST /api/v1/nodes/{host}/{group}/{node}/initialize", "POST /api/v1/nodes/{host}/{group}/{node}/start",
        "POST /api/v1/nodes/{host}/{group}/{node}/stop", "POST /api/v1/nodes/{host}/{group}/{node}/close",
        "POST /api/v1/nodes/{host}/{group}/{node}/request", "POST /api/v1/mode", "POST /api/v1/revive",
        "POST /api/v1/nodes/{host}/{group}/{node}/kill", "POST /api/v1/nodes/{host}/{group}/{node}/purge",
        "POST /api/v1/nodes/{host}/{group}/{node}/input", "GET /api/v1/hosts/{host}/env", "PUT /api/v1/hosts/{host}/env/{name}",
        "POST /api/v1/hosts/{host}/ports", "POST /api/v1/hosts/{host}/ports/release", "POST /api/v1/up", "POST /api/v1/down",
        "POST /api/v1/restart", "POST /api/v1/update", "POST /api/v1/site", "GET /api/v1/logs", "GET /api/v1/logs/stream",
        "GET /api/v1/events", "GET /metrics", "POST /api/v1/sessions", "PUT /api/v1/sessions/{id}", "DELETE /api/v1/sessions/{id}",
        "GET /api/v1/openapi.json");
    List<String> missing = required.stream().filter(r -> !documented.contains(r)).toList();
    assertEquals(List.of(), missing, "routes missing from the OpenAPI document");
    // And nothing undocumented is served: near misses are no route.
    for (String path : List.of("/api/v1/bogus", "/api/v2/status", "/api/v1/nodes/daq1/acq", "/api/v1/nodes/daq1/acq/sine/jump",
        "/", "/api")) {
      HttpResponse<String> answer = call("GET", path, null, read);
      assertEquals(404, answer.statusCode(), path);
      assertTrue(answer.body().contains("NO_SUCH_ROUTE"), path + ": " + answer.body());
    }
  }

  @Test
  void badRequestsAreAnsweredWithProblemJsonAndChangeNothing() throws Exception {
    // Credentials.
    refused("no credentials", 401, "UNAUTHORIZED", "client certificate", "GET", "/api/v1/status", null, null);
    refused("wrong token", 401, "UNAUTHORIZED", "not one of this cluster's API tokens", "GET", "/api/v1/status", null,
        "x".repeat(40));
    refused("read-only token", 403, "FORBIDDEN", "may only read", "POST", "/api/v1/up", "{\"targets\":[\"all\"]}", read);
    refused("read-only token", 403, "FORBIDDEN", "may only read", "DELETE", "/api/v1/groups/daq1/acq", null, read);
    refused("token in the URL", 400, "INVALID_ARGUMENT", "never goes in a URL", "GET", "/api/v1/status?token=" + read, null, null);
    // Routes and methods.
    refused("unknown route", 404, "NO_SUCH_ROUTE", "openapi.json", "GET", "/api/v1/nodez", null, read);
    refused("unknown route", 404, "NO_SUCH_ROUTE", "no route", "POST", "/api/v1/nodes/daq1/acq/sine/fly", null, operate);
    refused("wrong method", 405, "NO_SUCH_ROUTE", "it takes GET", "DELETE", "/api/v1/status", null, operate);
    // Bodies.
    refused("malformed JSON", 400, "INVALID_ARGUMENT", "malformed JSON", "POST", "/api/v1/groups", "{\"path\":", operate);
    refused("malformed JSON", 400, "INVALID_ARGUMENT", "malformed JSON", "POST", "/api/v1/up", "targets=all", operate);
    refused("missing body", 400, "INVALID_ARGUMENT", "needs a JSON body", "POST", "/api/v1/nodes", null, operate);
    refused("body not an object", 400, "INVALID_ARGUMENT", "CreateNode", "POST", "/api/v1/nodes", "[1,2]", operate);
    refused("unknown field", 400, "INVALID_ARGUMENT", "unknown field 'colour'", "POST", "/api/v1/groups",
        "{\"path\":\"daq1/x\",\"persistent\":true,\"colour\":\"red\"}", operate);
    refused("unknown field", 400, "INVALID_ARGUMENT", "unknown field 'sate'", "POST", "/api/v1/nodes/daq1/acq/sine/request",
        "{\"sate\":\"STOPPED\"}", operate);
    refused("wrong type", 400, "INVALID_ARGUMENT", "persistent", "POST", "/api/v1/groups", "{\"path\":\"daq1/x\",\"persistent\":\"maybe\"}",
        operate);
    refused("wrong type", 400, "INVALID_ARGUMENT", "targets", "POST", "/api/v1/up", "{\"targets\":\"all\"}", operate);
    refused("wrong type", 400, "INVALID_ARGUMENT", "count", "POST", "/api/v1/hosts/daq1/ports", "{\"protocol\":\"tcp\",\"count\":\"two\"}",
        operate);
    refused("wrong value", 400, "INVALID_ARGUMENT", "SIDEWAYS", "POST", "/api/v1/nodes/daq1/acq/sine/request", "{\"state\":\"SIDEWAYS\"}",
        operate);
    refused("wrong value", 400, "INVALID_ARGUMENT", "protocol must be tcp or udp", "POST", "/api/v1/hosts/daq1/ports",
        "{\"protocol\":\"sctp\",\"count\":1}", operate);
    refused("wrong value", 400, "INVALID_ARGUMENT", "between 1 and 100", "POST", "/api/v1/hosts/daq1/ports",
        "{\"protocol\":\"tcp\",\"count\":0}", operate);
    refused("wrong value", 400, "INVALID_ARGUMENT", "may not be set", "PUT", "/api/v1/hosts/daq1/env/LD_PRELOAD",
        "{\"value\":\"/tmp/x.so\"}", operate);
    refused("missing field", 400, "INVALID_ARGUMENT", "'state' is required", "POST", "/api/v1/nodes/daq1/acq/sine/request", "{}",
        operate);
    refused("wrong value", 400, "INVALID_ARGUMENT", "'by' is the manager asking", "POST", "/api/v1/nodes/daq1/acq/sine/request",
        "{\"state\":\"STOPPED\",\"by\":\"" + "m".repeat(201) + "\"}", operate);
    refused("missing field", 400, "INVALID_ARGUMENT", "'name' is required", "POST", "/api/v1/groups/daq1/acq/types",
        "{\"class\":\"io.shepherd.host.nodes.SineNode\"}", operate);
    refused("unknown group", 404, "NO_SUCH_GROUP", "no group daq1/ghost", "POST", "/api/v1/groups/daq1/ghost/types",
        "{\"name\":\"S\",\"class\":\"io.shepherd.host.nodes.SineNode\"}", operate);
    refused("missing field", 400, "INVALID_ARGUMENT", "'spec' is required", "POST", "/api/v1/nodes", "{\"path\":\"daq1/acq/x\"}", operate);
    refused("missing field", 400, "INVALID_ARGUMENT", "give one or more targets", "POST", "/api/v1/down", "{\"targets\":[]}", operate);
    refused("nesting too deep", 400, "INVALID_ARGUMENT", "", "POST", "/api/v1/up", "[".repeat(100) + "]".repeat(100), operate);
    refused("huge body", 413, "TOO_LARGE", "shepherd.api.max-body", "POST", "/api/v1/site", "# " + "x".repeat(100_000), operate);
    refused("group without owner", 400, "INVALID_ARGUMENT", "belongs to a client session", "POST", "/api/v1/groups",
        "{\"path\":\"daq1/x\"}", operate);
    // Paths and names.
    refused("bad node path", 400, "INVALID_ARGUMENT", "not valid", "POST", "/api/v1/nodes/daq1/acq/x%20y/start", null, operate);
    refused("bad node path", 400, "INVALID_ARGUMENT", "node path", "POST", "/api/v1/nodes", "{\"path\":\"daq1/acq\",\"spec\":{\"type\":\"sine\"}}",
        operate);
    refused("bad host id", 400, "INVALID_ARGUMENT", "reserved", "GET", "/api/v1/hosts/any/env", null, operate);
    refused("bad session id", 400, "INVALID_ARGUMENT", "not a session id", "PUT", "/api/v1/sessions/abc", null, operate);
    refused("bad source name", 400, "INVALID_ARGUMENT", "source must be a file name", "POST", "/api/v1/site?source=%3Cx%3E",
        "hosts {}", operate);
    // Unknown things, and calls out of order.
    refused("unknown node", 404, "NO_SUCH_NODE", "no node daq1/acq/ghost", "POST", "/api/v1/nodes/daq1/acq/ghost/start", null, operate);
    refused("unknown node", 404, "NO_SUCH_NODE", "no node daq1/acq/ghost", "GET", "/api/v1/nodes/daq1/acq/ghost", null, read);
    refused("unknown group", 404, "NO_SUCH_GROUP", "no group daq1/ghost", "DELETE", "/api/v1/groups/daq1/ghost", null, operate);
    refused("unknown host", 404, "NO_SUCH_HOST", "no host nohost", "GET", "/api/v1/hosts/nohost/env", null, operate);
    refused("unknown type", 400, "UNKNOWN_TYPE", "unknown node type 'sinus'", "POST", "/api/v1/nodes",
        "{\"path\":\"daq1/acq/x\",\"spec\":{\"type\":\"sinus\"}}", operate);
    refused("class not allowed", 403, "NOT_ALLOWED", "not allowed", "POST", "/api/v1/nodes",
        "{\"path\":\"daq1/acq/x\",\"spec\":{\"type\":\"java.lang.Runtime\"}}", operate);
    refused("duplicate", 409, "DUPLICATE_NAME", "already exists", "POST", "/api/v1/groups", "{\"path\":\"daq1/acq\",\"persistent\":true}",
        operate);
    refused("out of order", 409, "INVALID_TRANSITION", "from RUNNING only stop", "POST", "/api/v1/nodes/daq1/acq/sine/configure", null,
        operate);
    refused("unknown target", 400, "INVALID_ARGUMENT", "nothing was changed", "POST", "/api/v1/up", "{\"targets\":[\"daq1/nope\"]}",
        operate);
    refused("unknown target", 400, "INVALID_ARGUMENT", "nothing was changed", "POST", "/api/v1/restart",
        "{\"targets\":[\"daq1/acq/sine\",\"daq1/nope\"]}", operate);
    refused("all or none", 404, "NO_SUCH_NODE", "no node daq1/acq/ghost", "POST", "/api/v1/mode",
        "{\"paths\":[\"daq1/acq/sine\",\"daq1/acq/ghost\"],\"mode\":\"MANAGED\",\"manager\":\"session-x\"}", operate);
    refused("bad site file", 400, "INVALID_ARGUMENT", "unknown key 'typo'", "POST", "/api/v1/site?source=bad.conf",
        "hosts.daq1.groups.g.nodes.n { typo = sine }", operate);
    refused("bad site file", 400, "INVALID_ARGUMENT", "nothing was applied", "POST", "/api/v1/site?source=bad.conf", "hosts { daq1 {",
        operate);
    refused("bad site file", 400, "INVALID_ARGUMENT", "bad.conf: 1", "POST", "/api/v1/site?source=bad.conf", "hosts { x", operate);
    refused("bad site file", 400, "INVALID_ARGUMENT", "not a text file", "POST", "/api/v1/site", "\u0000", operate);
    TRIED.merge("bad site file", 1, Integer::sum);
    HttpResponse<String> binary = http.send(HttpRequest.newBuilder(api.resolve("/api/v1/site")).header("Authorization", "Bearer " + operate)
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xff, (byte) 0xfe, '{'})).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, binary.statusCode());
    assertTrue(binary.body().contains("not UTF-8 text"), binary.body());
    // Queries of the streams and logs.
    refused("bad event id", 400, "INVALID_ARGUMENT", "EPOCH-SEQ", "GET", "/api/v1/events?after=latest", null, read);
    refused("bad event type", 400, "INVALID_ARGUMENT", "unknown event type bogus", "GET", "/api/v1/events?types=node,bogus", null, read);
    refused("bad log level", 400, "INVALID_ARGUMENT", "unknown log level", "GET", "/api/v1/logs?level=LOUD", null, read);
    refused("bad log limit", 400, "INVALID_ARGUMENT", "limit must be between 1 and 10000", "GET", "/api/v1/logs?limit=0", null, read);
    refused("bad since", 400, "INVALID_ARGUMENT", "since must be", "GET", "/api/v1/logs/stream?since=yesterday", null, read);
    refused("bad glob", 400, "INVALID_ARGUMENT", "node glob", "GET", "/api/v1/nodes?node=a%20b", null, read);
    System.out.println("API bad requests tried, by kind: " + TRIED + ", " + TRIED.values().stream().mapToInt(Integer::intValue).sum()
        + " in all");
  }

  @Test
  void aSiteDryRunAnswersThePlanAndChangesNothing() throws Exception {
    List<String> before = snapshot();
    HttpResponse<String> plan = call("POST", "/api/v1/site?dry-run=true&source=plan.conf",
        "hosts.daq1.groups.planned.nodes { a { type = sine }, b { type = noop, target = down } }", operate);
    assertEquals(200, plan.statusCode(), plan.body());
    JsonNode answer = JSON.readTree(plan.body());
    assertTrue(answer.path("dryRun").asBoolean());
    assertEquals("[\"daq1/planned/a\",\"daq1/planned/b\"]", answer.path("added").toString());
    assertEquals(before, snapshot(), "a dry run changes nothing");
  }

  @Test
  void aSessionsGroupsGoWhenItClosesOrItsLeaseLapses() throws Exception {
    for (boolean close : new boolean[] {true, false}) {
      HttpResponse<String> opened = call("POST", "/api/v1/sessions", "{\"ttlMillis\":1500}", operate);
      assertEquals(201, opened.statusCode(), opened.body());
      String session = JSON.readTree(opened.body()).path("id").asText();
      assertTrue(session.startsWith("session-"));
      String group = close ? "daq1/closed" : "daq1/lapsed";
      assertEquals(201, call("POST", "/api/v1/groups", "{\"path\":\"" + group + "\",\"session\":\"" + session + "\"}", operate).statusCode());
      assertEquals(200, call("PUT", "/api/v1/sessions/" + session, "{\"ttlMillis\":1500}", operate).statusCode());
      assertTrue(statusHas(s -> s.path("groups").toString().contains(group)));
      if (close) {
        assertEquals(200, call("DELETE", "/api/v1/sessions/" + session, null, operate).statusCode());
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (statusHas(s -> s.path("groups").toString().contains(group))) {
        assertTrue(System.nanoTime() < deadline, group + " was not removed");
        Thread.sleep(100);
      }
    }
  }

  @Test
  void eventsStreamResumeFromTheLastIdAndRestartGoesDownThenUp() throws Exception {
    assertEquals(201, call("POST", "/api/v1/groups", "{\"path\":\"daq1/ev\",\"persistent\":true}", operate).statusCode());
    assertEquals(201, call("POST", "/api/v1/nodes", "{\"path\":\"daq1/ev/n\",\"spec\":{\"type\":\"noop\"},\"requested\":\"RUNNING\"}",
        operate).statusCode());
    assertEquals(200, call("POST", "/api/v1/nodes/daq1/ev/n/request", "{\"state\":\"RUNNING\",\"await\":true}", operate).statusCode());
    List<JsonNode> seen = new ArrayList<>();
    try (EventStream stream = new EventStream("/api/v1/events?node=daq1/ev/*", null)) {
      HttpResponse<String> restarted = call("POST", "/api/v1/restart", "{\"targets\":[\"daq1/ev\"]}", operate);
      assertEquals(200, restarted.statusCode(), restarted.body());
      assertTrue(JSON.readTree(restarted.body()).path("message").asText().contains("restarted 1 node"));
      seen.addAll(stream.until(e -> e.path("state").asText().equals("RUNNING") && e.path("previous").asText().equals("STOPPED")));
    }
    List<String> states = seen.stream().filter(e -> e.path("type").asText().equals("node")).map(e -> e.path("state").asText()).toList();
    assertTrue(states.indexOf("STOPPED") >= 0 && states.indexOf("STOPPED") < states.lastIndexOf("RUNNING"), "down then up: " + states);
    String last = seen.get(seen.size() - 1).path("id").asText();
    String before = seen.get(0).path("id").asText();
    // Reconnecting with an earlier id replays every event after it, in order, without a gap.
    try (EventStream resumed = new EventStream("/api/v1/events?node=daq1/ev/*", before)) {
      List<JsonNode> replay = resumed.until(e -> e.path("id").asText().equals(last));
      assertEquals(seen.subList(1, seen.size()).stream().map(e -> e.path("id").asText()).toList(),
          replay.stream().map(e -> e.path("id").asText()).toList());
    }
    // An id of another Manager epoch cannot be resumed: a resync event says so.
    try (EventStream stale = new EventStream("/api/v1/events", "999-1")) {
      JsonNode first = stale.until(e -> true).get(0);
      assertEquals("resync", first.path("type").asText());
    }
    HttpResponse<String> recent = call("GET", "/api/v1/events/recent?after=" + before + "&node=daq1/ev/*", null, read);
    assertEquals(200, recent.statusCode());
    assertFalse(JSON.readTree(recent.body()).path("resync").asBoolean());
    assertTrue(JSON.readTree(recent.body()).path("events").size() >= seen.size() - 1);
  }

  @Test
  void metricsAndLogsAreServed() throws Exception {
    HttpResponse<String> metrics = call("GET", "/metrics", null, read);
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    String text = metrics.body();
    assertTrue(text.contains("shepherd_node_state{host=\"daq1\",path=\"daq1/acq/sine\",state=\"RUNNING\",type=\"sine\"} 1.0"), text);
    assertTrue(text.contains("shepherd_hosts{status=\"UP\"} 1.0"), text);
    assertTrue(text.contains("shepherd_manager_epoch "), text);
    assertTrue(text.contains("shepherd_log_records_total "), text);
    assertTrue(text.contains("jvm_memory_used_bytes"), text);
    // This JVM's members send no log records (its logging has no forwarding appender): the tail's shape, and its counters.
    HttpResponse<String> tail = call("GET", "/api/v1/logs?limit=5", null, read);
    assertEquals(200, tail.statusCode(), tail.body());
    assertTrue(JSON.readTree(tail.body()).path("records").isArray(), tail.body());
    assertTrue(JSON.readTree(tail.body()).path("stats").path("file").asText().endsWith("shepherd.log"), tail.body());
  }

  /** A Server-Sent Event stream of the API, read on this thread. */
  static final class EventStream implements AutoCloseable {
    private final InputStream body;
    private final BufferedReader lines;

    EventStream(String path, String lastId) throws Exception {
      HttpRequest.Builder request = HttpRequest.newBuilder(api.resolve(path)).header("Authorization", "Bearer " + read)
          .header("Accept", "text/event-stream");
      if (lastId != null) {
        request.header("Last-Event-ID", lastId);
      }
      HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, response.statusCode());
      assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElse(""));
      body = response.body();
      lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    /** The events read until one matches (included), within 30 s. */
    List<JsonNode> until(Predicate<JsonNode> last) throws Exception {
      List<JsonNode> events = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      String line;
      while (System.nanoTime() < deadline && (line = lines.readLine()) != null) {
        if (line.startsWith("data: ")) {
          JsonNode event = JSON.readTree(line.substring(6));
          events.add(event);
          if (last.test(event)) {
            return events;
          }
        }
      }
      throw new AssertionError("the stream ended or timed out; got " + events);
    }

    @Override
    public void close() throws Exception {
      body.close();
    }
  }
}
