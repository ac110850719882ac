package io.shepherd.api.routes;

import akka.http.javadsl.model.HttpResponse;
import io.shepherd.api.ApiException;
import io.shepherd.api.Call;
import io.shepherd.api.Responses;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Names;
import io.shepherd.protocol.NodePath;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** What the route classes share: reading paths and arguments, and answering. */
final class RouteSupport {

  private RouteSupport() {}

  /** The node named by the path parameters {@code host}, {@code group}, {@code node}. */
  static NodePath node(Call call) {
    return check(() -> new NodePath(call.param("host"), call.param("group"), call.param("node")));
  }

  static GroupPath group(Call call) {
    return check(() -> new GroupPath(call.param("host"), call.param("group")));
  }

  static NodePath nodePath(String text) {
    return check(() -> NodePath.parse(text));
  }

  static List<NodePath> nodePaths(List<String> paths) {
    if (paths == null || paths.isEmpty()) {
      throw ApiException.badRequest("give one or more node paths in 'paths', e.g. [\"daq1/acq/sine\"]");
    }
    return paths.stream().map(RouteSupport::nodePath).toList();
  }

  /** The value {@code parse} makes, or 400 with its message. */
  static <T> T check(Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw ApiException.badRequest(String.valueOf(e.getMessage()));
    }
  }

  /** A required field of a body. */
  static <T> T required(T value, String field, String example) {
    if (value == null) {
      throw ApiException.badRequest("the field '" + field + "' is required, e.g. " + example);
    }
    return value;
  }

  /** An Ok from the Manager as an {@link Api.Answer}. */
  static HttpResponse answer(int status, ManagerProtocol.Ok ok) {
    return Responses.json(status, new Api.Answer(ok.message(), ok.node()));
  }

  /** Runs {@code handler}, turning what it throws into a failed stage. */
  static <T> CompletionStage<T> guard(Supplier<CompletionStage<T>> handler) {
    try {
      return handler.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** A query parameter as a bounded integer. */
  static int intQuery(Call call, String name, int fallback, int min, int max) {
    String text = call.query(name).orElse(null);
    if (text == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(text.trim());
      if (value < min || value > max) {
        throw ApiException.badRequest(name + " must be between " + min + " and " + max + ", got " + value);
      }
      return value;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(name + " must be a whole number between " + min + " and " + max + ", got '"
          + Names.abbreviate(text) + "'");
    }
  }

  /** A query parameter as a boolean (true/false). */
  static boolean boolQuery(Call call, String name) {
    String text = call.query(name).orElse("false").trim();
    return switch (text) {
      case "true", "" -> true;
      case "false" -> false;
      default -> throw ApiException.badRequest(name + " must be true or false, got '" + Names.abbreviate(text) + "'");
    };
  }
}
