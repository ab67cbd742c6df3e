package io.vstp.security;

import io.vstp.core.internal.Failures;
import io.vstp.security.audit.AuditLog;
import io.vstp.security.rbac.RoleRules;
import io.vstp.security.spi.Authenticator;
import io.vstp.security.spi.Authorizer;
import io.vstp.transport.Session;
import io.vstp.transport.auth.AccessControl;
import io.vstp.transport.auth.AccessDecision;
import io.vstp.transport.auth.Action;
import io.vstp.transport.auth.AuthenticationException;
import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A server's access control (docs/guide/security.md): authenticators asked in order, the first that recognises the
 * credentials decides; then role rules and plugin authorisers vote on every request, deny by default. Every
 * authentication and every decision goes to the {@link AuditLog}.
 *
 * <p>Authenticators and authorisers come from suppliers read at each use, so plugins swapped by a reload take
 * effect for the next handshake or request, while established sessions keep the principal they have.
 */
public final class SecurityPolicy implements AccessControl, AutoCloseable {
    private final Supplier<List<Authenticator>> authenticators;
    private final RoleRules rules;
    private final Supplier<List<Authorizer>> authorizers;
    private final Set<String> anonymousRoles;
    private final AuditLog audit;
    private final List<AutoCloseable> owned;

    /**
     * @param anonymousRoles null: a peer without credentials any authenticator recognises is refused; otherwise it
     *                       is let in as {@code anonymous} with these roles (possibly none: then it can do nothing
     *                       unless a plugin allows it)
     * @param owned          closed with the policy (validators' threads, the plugin registry)
     */
    public SecurityPolicy(
            Supplier<List<Authenticator>> authenticators,
            RoleRules rules,
            Supplier<List<Authorizer>> authorizers,
            Set<String> anonymousRoles,
            AuditLog audit,
            List<AutoCloseable> owned) {
        this.authenticators = authenticators;
        this.rules = rules;
        this.authorizers = authorizers;
        this.anonymousRoles = anonymousRoles == null ? null : Set.copyOf(anonymousRoles);
        this.audit = audit;
        this.owned = List.copyOf(owned);
    }

    public RoleRules rules() {
        return rules;
    }

    public AuditLog audit() {
        return audit;
    }

    /** The plugin registry, when plugins are configured: what is loaded, and what was refused. */
    public java.util.Optional<io.vstp.security.plugin.PluginRegistry> plugins() {
        return owned.stream()
                .filter(io.vstp.security.plugin.PluginRegistry.class::isInstance)
                .map(io.vstp.security.plugin.PluginRegistry.class::cast)
                .findFirst();
    }

    @Override
    public CompletionStage<Principal> authenticate(Credentials credentials) {
        List<Authenticator> chain = authenticators.get();
        CompletableFuture<Principal> result = new CompletableFuture<>();
        next(chain, 0, credentials, result);
        return result.whenComplete((p, e) -> audit.authentication(credentials, p, e == null ? null : reason(e)));
    }

    private void next(List<Authenticator> chain, int i, Credentials credentials, CompletableFuture<Principal> result) {
        if (i == chain.size()) {
            if (anonymousRoles != null && credentials.bearerToken() == null) {
                result.complete(new Principal("anonymous", anonymousRoles, Map.of(), "none", null));
            } else {
                result.completeExceptionally(new AuthenticationException(
                        credentials.bearerToken() == null
                                        && credentials.clientCertificates().isEmpty()
                                ? "credentials required"
                                : "no authenticator accepts these credentials"));
            }
            return;
        }
        CompletionStage<Optional<Principal>> stage;
        try {
            stage = chain.get(i).authenticate(credentials);
        } catch (RuntimeException | LinkageError e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((found, error) -> {
            if (error != null) {
                Throwable cause = Failures.cause(error);
                result.completeExceptionally(
                        cause instanceof AuthenticationException
                                ? cause
                                : new AuthenticationException("authentication failed", cause));
            } else if (found != null && found.isPresent()) {
                result.complete(found.get());
            } else {
                next(chain, i + 1, credentials, result);
            }
        });
    }

    private static String reason(Throwable e) {
        Throwable cause = Failures.cause(e);
        return cause instanceof AuthenticationException a
                ? a.detail()
                : cause.getClass().getSimpleName();
    }

    @Override
    public AccessDecision authorize(Principal principal, Action action, Session session) {
        AccessDecision d = decide(principal, action);
        audit.decision(principal, action, session.id(), session.remoteAddress(), d.allowed(), d.reason());
        return d;
    }

    /**
     * The decision for a peer that cannot present credentials (a datagram over UDP): allowed only if anonymous peers
     * are let in ({@code auth.anonymous-roles}) and their roles allow the request, every path it names. Audited like
     * any decision, with {@code context} in place of a session id.
     */
    public AccessDecision authorizeAnonymous(
            io.vstp.core.frame.Headers request, String context, java.net.SocketAddress peer) {
        if (anonymousRoles == null) {
            return AccessDecision.deny("credentials required");
        }
        return authorizeDatagram(
                new Principal("anonymous", anonymousRoles, Map.of(), "none", null), request, context, peer);
    }

    /**
     * The decision for a datagram request from {@code principal} (what a DTLS association proved, services.md §2b):
     * every path it names must be allowed. Audited like any decision, with {@code context} in place of a session id.
     */
    public AccessDecision authorizeDatagram(
            Principal principal, io.vstp.core.frame.Headers request, String context, java.net.SocketAddress peer) {
        return Action.decideEveryPath(request, action -> {
            AccessDecision d = decide(principal, action);
            audit.decision(principal, action, context, peer, d.allowed(), d.reason());
            return d;
        });
    }

    /** The decision without an audit line: rules first, then plugins; any DENY wins, one ALLOW is needed. */
    public AccessDecision decide(Principal principal, Action action) {
        String allowedBy = rules.describe(principal, action);
        for (Authorizer a : authorizers.get()) {
            Authorizer.Vote v;
            try {
                v = a.vote(principal, action);
            } catch (RuntimeException | LinkageError e) {
                return AccessDecision.deny("authoriser " + a.getClass().getName() + " failed: "
                        + e.getClass().getSimpleName());
            }
            if (v == Authorizer.Vote.DENY) {
                return AccessDecision.deny("denied by " + a.getClass().getName());
            }
            if (v == Authorizer.Vote.ALLOW && allowedBy == null) {
                allowedBy = "allowed by " + a.getClass().getName();
            }
        }
        return allowedBy != null ? AccessDecision.allow(allowedBy) : AccessDecision.deny("no rule allows it");
    }

    @Override
    public void close() {
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
        audit.close();
    }
}
