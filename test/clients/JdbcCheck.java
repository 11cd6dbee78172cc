// JDBC runner of test/clients.sh: reads a spec (see check.py), binds each parameter the way a
// pgjdbc user does, prints column types (java.sql.Types names) and values (getString) per query.
//   java -cp /usr/share/java/postgresql.jar:. JdbcCheck URL ARRAYMODE SPEC
// ARRAYMODE: text (setArray(createArrayOf("text"))), varchar (createArrayOf("varchar")),
// object (setObject(String[])), string (setString("{a,b}")).  Interval and jsonb parameters are
// PGInterval / PGobject unless the URL has stringtype=unspecified (then setString).
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.sql.*;
import java.util.*;
import org.postgresql.util.PGInterval;
import org.postgresql.util.PGobject;

public class JdbcCheck {
    static final Map<Integer, String> TYPES = new HashMap<>();
    static {
        for (java.lang.reflect.Field f : Types.class.getFields())
            try { TYPES.put(f.getInt(null), f.getName()); } catch (Exception e) { }
    }

    static String esc(String s) {
        if (s == null) return "\\N";
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n");
    }

    public static void main(String[] a) throws Exception {
        String url = a[0], arrayMode = a[1];
        boolean unspecified = url.contains("stringtype=unspecified");
        List<String> lines = Files.readAllLines(Paths.get(a[2]), StandardCharsets.UTF_8);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(true);
            int i = 0;
            while (i < lines.size()) {
                String name = lines.get(i++).substring(2);
                String sql = lines.get(i++).substring(2);
                List<String[]> params = new ArrayList<>();
                while (i < lines.size() && lines.get(i).startsWith("P ")) {
                    String[] p = lines.get(i++).substring(2).split(" ", 2);
                    params.add(p);
                }
                out.println("Q " + name);
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    int k = 1;
                    for (String[] p : params) {
                        String kind = p[0], v = p[1];
                        switch (kind) {
                        case "int": ps.setInt(k, Integer.parseInt(v)); break;
                        case "string": ps.setString(k, v); break;
                        case "interval":
                            if (unspecified) ps.setString(k, v); else ps.setObject(k, new PGInterval(v));
                            break;
                        case "jsonb":
                            if (unspecified) ps.setString(k, v);
                            else { PGobject o = new PGobject(); o.setType("jsonb"); o.setValue(v); ps.setObject(k, o); }
                            break;
                        case "strings": {
                            String[] arr = v.split(",");
                            switch (arrayMode) {
                            case "text": ps.setArray(k, c.createArrayOf("text", arr)); break;
                            case "varchar": ps.setArray(k, c.createArrayOf("varchar", arr)); break;
                            case "object": ps.setObject(k, arr); break;
                            default: ps.setString(k, "{" + v + "}"); break;
                            }
                            break;
                        }
                        default: throw new RuntimeException("unknown parameter kind " + kind);
                        }
                        k++;
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        ResultSetMetaData md = rs.getMetaData();
                        int n = md.getColumnCount();
                        for (int j = 1; j <= n; j++)
                            out.println("C " + md.getColumnLabel(j) + "\t" + TYPES.getOrDefault(md.getColumnType(j), "" + md.getColumnType(j)));
                        while (rs.next()) {
                            StringBuilder b = new StringBuilder("R ");
                            for (int j = 1; j <= n; j++) {
                                if (j > 1) b.append('\t');
                                b.append(esc(rs.getString(j)));
                            }
                            out.println(b);
                        }
                    }
                } catch (SQLException e) {
                    out.println("E " + esc(e.getSQLState() + " " + e.getMessage()));
                }
            }
        }
    }
}
