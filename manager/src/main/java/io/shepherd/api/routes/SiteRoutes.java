package io.shepherd.api.routes;

import io.shepherd.api.ApiException;
import io.shepherd.api.ApiServer;
import io.shepherd.api.Responses;
import io.shepherd.api.Router.Role;
import io.shepherd.manager.site.SiteFile;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Names;
import io.shepherd.protocol.Site;
import java.util.concurrent.CompletableFuture;

/** Site files (OCS's site config): apply, or plan with dry-run. */
public final class SiteRoutes {

  private SiteRoutes() {}

  public static void register(ApiServer.Context api) {
    api.router().add("POST", Api.PREFIX + "/site", Role.OPERATE, "Applies a site file (the body: HOCON text). Every error in the "
        + "file is listed and nothing changes; otherwise new nodes are added, changed ones restarted, removed ones driven down and "
        + "deleted. ?dry-run=true answers the plan and changes nothing; ?source=NAME names the file in messages.", "text", "SitePlan",
        call -> RouteSupport.guard(() -> {
          boolean dryRun = RouteSupport.boolQuery(call, "dry-run");
          String source = call.query("source").orElse("site.conf");
          if (!source.matches("[A-Za-z0-9._/-]{1,200}")) {
            throw ApiException.badRequest("source must be a file name of letters, digits and ._/- (at most 200), got '"
                + Names.abbreviate(source) + "'");
          }
          String text = call.text();
          if (text.isBlank()) {
            throw ApiException.badRequest("the body is empty: send the site file's text");
          }
          // Parsing a large file is CPU work: not on the threads that serve requests.
          return CompletableFuture.supplyAsync(() -> parse(text, source, api), api.blocking())
              .thenCompose(site -> api.manager().call(r -> new ManagerProtocol.ApplySite(site, dryRun, r), ManagerProtocol.SiteApplied.class))
              .thenApply(applied -> Responses.ok(new Api.SitePlan(dryRun, applied.added(), applied.changed(), applied.removed(),
                  applied.unchanged())));
        }));
  }

  private static Site parse(String text, String source, ApiServer.Context api) {
    try {
      return SiteFile.parse(text, source, api.config());
    } catch (SiteFile.Invalid e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }
}
