package io.vstp.cli;

/**
 * A server address from the command line: {@code HOST[:PORT][/path]}, with IPv6 literals in brackets
 * ({@code [::1]:6969/dir/file}).
 */
record Target(String host, int port, String path) {
    static final int DEFAULT_PORT = 6969;

    static Target parse(String text) {
        String rest = text;
        String path = "";
        String host;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new CliException(ExitCodes.USAGE, "bad address '" + text + "': missing ']'");
            }
            host = rest.substring(1, close);
            rest = rest.substring(close + 1);
        } else {
            int end = indexOfAny(rest, ":/");
            host = end < 0 ? rest : rest.substring(0, end);
            rest = end < 0 ? "" : rest.substring(end);
        }
        int port = DEFAULT_PORT;
        if (rest.startsWith(":")) {
            int slash = rest.indexOf('/');
            String p = slash < 0 ? rest.substring(1) : rest.substring(1, slash);
            try {
                port = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new CliException(ExitCodes.USAGE, "bad port in '" + text + "'");
            }
            rest = slash < 0 ? "" : rest.substring(slash);
        }
        if (rest.startsWith("/")) {
            path = rest.substring(1);
        } else if (!rest.isEmpty()) {
            throw new CliException(ExitCodes.USAGE, "bad address '" + text + "'");
        }
        if (host.isEmpty()) {
            throw new CliException(ExitCodes.USAGE, "bad address '" + text + "': no host");
        }
        return new Target(host, port, path);
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
