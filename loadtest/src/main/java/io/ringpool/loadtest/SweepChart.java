package io.ringpool.loadtest;

import java.util.List;
import java.util.Map;

/** Draws the sweep as a small self-contained SVG: correct / wrong / unknown (% of calls) against pool size. */
final class SweepChart {
    private SweepChart() {}

    private static final int W = 720;
    private static final int H = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 160;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    @SuppressWarnings("unchecked")
    static String svg(int recommended, List<Map<String, Object>> points) {
        int n = points.size();
        double[] x = new double[n];
        double[][] y = new double[3][n];
        double maxX = 0;
        for (int i = 0; i < n; i++) {
            Map<String, Object> p = points.get(i);
            Map<String, Object> acc = (Map<String, Object>) p.get("accuracy");
            x[i] = ((Number) p.get("poolSize")).doubleValue();
            y[0][i] = 100 * ((Number) acc.get("correctShare")).doubleValue();
            y[1][i] = 100 * ((Number) acc.get("wrongShare")).doubleValue();
            y[2][i] = 100 * ((Number) acc.get("unknownShare")).doubleValue();
            maxX = Math.max(maxX, x[i]);
        }
        maxX = Math.max(maxX, recommended) * 1.05;
        double plotW = W - LEFT - RIGHT;
        double plotH = H - TOP - BOTTOM;
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        b.append("<text x=\"").append(LEFT).append("\" y=\"22\" font-size=\"15\">Attribution of calls vs pool size (recommended ")
                .append(recommended).append(")</text>\n");
        for (int pct = 0; pct <= 100; pct += 20) {
            double yy = TOP + plotH * (1 - pct / 100.0);
            b.append(String.format("<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, yy, LEFT + plotW, yy));
            b.append(String.format("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d%%</text>%n", LEFT - 6, yy + 4, pct));
        }
        for (int i = 0; i < n; i++) {
            double xx = LEFT + plotW * x[i] / maxX;
            b.append(String.format("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>%n", xx, TOP + plotH, xx, TOP + plotH + 5));
            b.append(String.format("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>%n", xx, TOP + plotH + 18, (int) x[i]));
        }
        double rx = LEFT + plotW * recommended / maxX;
        b.append(String.format("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"4 4\"/>%n", rx, TOP, rx, TOP + plotH));
        b.append(String.format("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#666\">recommended</text>%n", rx, TOP - 4));
        b.append(String.format("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">pool size (numbers)</text>%n", LEFT + plotW / 2, H - 15));
        b.append(String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\"/>%n", LEFT, TOP, LEFT, TOP + plotH));
        b.append(String.format("<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>%n", LEFT, TOP + plotH, LEFT + plotW, TOP + plotH));
        String[] names = {"correct", "wrong", "unknown"};
        String[] colours = {"#2a9d3f", "#d62728", "#7f7f7f"};
        for (int k = 0; k < 3; k++) {
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < n; i++) {
                double xx = LEFT + plotW * x[i] / maxX;
                double yy = TOP + plotH * (1 - y[k][i] / 100);
                pts.append(String.format("%.1f,%.1f ", xx, yy));
                b.append(String.format("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s %.2f%%</title></circle>%n",
                        xx, yy, colours[k], names[k], y[k][i]));
            }
            b.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(colours[k]).append("\" points=\"")
                    .append(pts.toString().trim()).append("\"/>\n");
            double ly = TOP + 20 + 20 * k;
            b.append(String.format("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/>%n",
                    LEFT + plotW + 15, ly, LEFT + plotW + 40, ly, colours[k]));
            b.append(String.format("<text x=\"%.1f\" y=\"%.1f\">%s</text>%n", LEFT + plotW + 46, ly + 4, names[k]));
        }
        b.append("</svg>\n");
        return b.toString();
    }
}
