package io.vstp.security.rbac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.security.spi.Authorizer.Vote;
import io.vstp.transport.auth.Action;
import io.vstp.transport.auth.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The RBAC matrix: roles × actions, every cell stated, deny by default. */
class RoleRulesTest {
    private static final RoleRules RULES = RoleRules.parse(Map.of(
            "reader", "echo, files:read:public",
            "writer", "echo, files:read, files:write:uploads/",
            "admin", "*",
            "auditor", "files:stat"));

    private static Principal who(String... roles) {
        return new Principal("someone", Set.of(roles), Map.of(), "test", null);
    }

    private static Action files(String op, String path) {
        return new Action("files", op, path);
    }

    @Test
    void matrix() {
        Map<Action, String> expected = new LinkedHashMap<>();
        // action → which of reader, writer, admin, auditor, (no role) may do it: "1" allowed, "0" denied
        expected.put(new Action("echo", "", ""), "11100");
        expected.put(files("list", "public"), "11100");
        expected.put(files("get", "public/a.txt"), "11100");
        expected.put(files("get-stream", "/public/deep/b.bin"), "11100");
        expected.put(files("get", "public-not/a.txt"), "01100");
        expected.put(files("get", "secret/a.txt"), "01100");
        expected.put(files("stat", "secret/a.txt"), "01110");
        expected.put(files("put-begin", "uploads/x"), "01100");
        expected.put(files("put-chunk", "uploads/x"), "01100");
        expected.put(files("put-commit", "public/x"), "00100");
        expected.put(files("put-chunk", "uploads-evil/x"), "00100");
        expected.put(files("get", "public/../secret/a.txt"), "01100");
        expected.put(files("get", "public/./a.txt"), "01100");
        expected.put(files("get", "public//a.txt"), "01100");
        expected.put(files("get", "public\\..\\secret.txt"), "01100");
        expected.put(new Action("metrics", "scrape", ""), "00100");
        List<String> roles = List.of("reader", "writer", "admin", "auditor");
        expected.forEach((action, cells) -> {
            for (int i = 0; i < 5; i++) {
                Principal p = i < 4 ? who(roles.get(i)) : who();
                Vote want = cells.charAt(i) == '1' ? Vote.ALLOW : Vote.ABSTAIN;
                assertThat(RULES.vote(p, action))
                        .as("%s for %s", action, i < 4 ? roles.get(i) : "no role")
                        .isEqualTo(want);
            }
        });
    }

    @Test
    void anyOfSeveralRolesSufficesAndTheMatchIsNamed() {
        assertThat(RULES.vote(who("auditor", "reader"), files("get", "public/x")))
                .isEqualTo(Vote.ALLOW);
        assertThat(RULES.describe(who("reader"), files("get", "public/x"))).isEqualTo("reader → files:read:public");
        assertThat(RULES.describe(who("nobody"), files("get", "public/x"))).isNull();
    }

    @Test
    void malformedPermissionsAreRefusedAtLoad() {
        assertThatThrownBy(() -> Permission.parse(":read")).hasMessageContaining("empty service");
        assertThatThrownBy(() -> Permission.parse("files::x")).hasMessageContaining("empty service or access");
        assertThatThrownBy(() -> Permission.parse(" ")).hasMessageContaining("SERVICE[:ACCESS");
        assertThatThrownBy(() -> Permission.parse("x".repeat(2000))).hasMessageContaining("SERVICE[:ACCESS");
        assertThat(Permission.parse("FILES:READ:/a/b/").toString()).isEqualTo("files:read:a/b");
    }
}
