package io.shepherd.api;

import akka.http.javadsl.model.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;

/**
 * The API's routes as a table: method, path template ({@code /api/v1/nodes/{host}/{group}/{node}}),
 * the role a caller needs, and a handler. The same table serves requests and writes the OpenAPI
 * document, so a route cannot be served undocumented. Literal segments win over parameters.
 */
public final class Router {

  /** What a caller may do: read (status, events, logs, metrics) or operate (everything). */
  public enum Role { READ, OPERATE }

  /** Handles one call; a failed stage with an {@link ApiException} is answered as problem JSON. */
  @FunctionalInterface
  public interface Handler {
    CompletionStage<HttpResponse> handle(Call call);
  }

  /**
   * A route.
   *
   * @param body the name of the JSON body it reads (for the OpenAPI document), "text" for a text
   *     body, or null for none
   * @param answer what it answers with (a schema name, "text/event-stream", "text/plain"), for the document
   */
  public record Route(String method, String template, Role role, String summary, String body, String answer, Handler handler) {
    public List<String> segments() {
      return List.of(template.substring(1).split("/"));
    }

    /** The names of its path parameters, in order. */
    public List<String> parameters() {
      return segments().stream().filter(Router::isParameter).map(s -> s.substring(1, s.length() - 1)).toList();
    }
  }

  /** The result of matching a request. */
  public sealed interface Match {}

  public record Found(Route route, Map<String, String> params) implements Match {}

  public record NotFound() implements Match {}

  public record MethodNotAllowed(Set<String> allowed) implements Match {}

  private final List<Route> routes = new ArrayList<>();

  public Router add(String method, String template, Role role, String summary, String body, String answer, Handler handler) {
    for (Route route : routes) {
      if (route.method().equals(method) && route.template().equals(template)) {
        throw new IllegalArgumentException("route " + method + " " + template + " is defined twice");
      }
    }
    routes.add(new Route(method, template, role, summary, body, answer, handler));
    return this;
  }

  public List<Route> routes() {
    return List.copyOf(routes);
  }

  /** The route for a method and the request's decoded path segments. */
  public Match match(String method, List<String> segments) {
    Found best = null;
    int bestLiterals = -1;
    Set<String> allowed = new TreeSet<>();
    for (Route route : routes) {
      Map<String, String> params = bind(route.segments(), segments);
      if (params == null) {
        continue;
      }
      allowed.add(route.method());
      if (!route.method().equals(method)) {
        continue;
      }
      int literals = (int) route.segments().stream().filter(s -> !isParameter(s)).count();
      if (literals > bestLiterals) {
        best = new Found(route, params);
        bestLiterals = literals;
      }
    }
    if (best != null) {
      return best;
    }
    return allowed.isEmpty() ? new NotFound() : new MethodNotAllowed(allowed);
  }

  private static Map<String, String> bind(List<String> template, List<String> segments) {
    if (template.size() != segments.size()) {
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < template.size(); i++) {
      String part = template.get(i);
      if (isParameter(part)) {
        if (segments.get(i).isEmpty()) {
          return null;
        }
        params.put(part.substring(1, part.length() - 1), segments.get(i));
      } else if (!part.equals(segments.get(i))) {
        return null;
      }
    }
    return params;
  }

  static boolean isParameter(String segment) {
    return segment.startsWith("{") && segment.endsWith("}");
  }
}
