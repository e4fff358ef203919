/* gnuplot charts for aupfilter-bench (bench_plot.h). */
#include "bench_plot.h"

#include <stdio.h>
#include <stdlib.h>

#define TERMINAL "set terminal pngcairo size 900,540 font 'DejaVu Sans,11'\n"

int bench_plot_available(void) { return system("gnuplot --version >/dev/null 2>&1") == 0; }

static FILE *open_in(const char *dir, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return fopen(path, "w");
}

/* Runs dir/name.gp in dir. */
static int render(const char *dir, const char *name) {
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "cd '%s' && gnuplot '%s.gp' >/dev/null 2>&1", dir, name);
    return system(cmd) == 0 ? 0 : -1;
}

int bench_plot_scaling(const char *dir, const bench_scale_row *rows, size_t n,
                       const bench_scale_row *base) {
    FILE *d = open_in(dir, "scaling.dat"), *g = open_in(dir, "scaling.gp");
    if (!d || !g) {
        if (d)
            fclose(d);
        if (g)
            fclose(g);
        return -1;
    }
    fprintf(d, "# rules hs_med hs_min hs_max scan_med scan_min scan_max compile_ms db_bytes\n");
    for (size_t i = 0; i < n; i++)
        fprintf(d, "%zu %.3f %.3f %.3f %.3f %.3f %.3f %.1f %zu\n", rows[i].rules,
                rows[i].hs_mbps.median, rows[i].hs_mbps.min, rows[i].hs_mbps.max,
                rows[i].scan_mbps.median, rows[i].scan_mbps.min, rows[i].scan_mbps.max,
                rows[i].compile_ms, rows[i].db_bytes);
    if (base)
        fprintf(d, "\n\n%zu %.3f %.3f %.3f %.3f %.3f %.3f %.1f %zu\n", base->rules,
                base->hs_mbps.median, base->hs_mbps.min, base->hs_mbps.max, base->scan_mbps.median,
                base->scan_mbps.min, base->scan_mbps.max, base->compile_ms, base->db_bytes);
    fprintf(g, TERMINAL "set output 'throughput-vs-rules.png'\n"
                        "set title 'Block throughput vs rule count (one core, median, min-max)'\n"
                        "set xlabel 'rules'\nset ylabel 'MB/s'\nset logscale xy\n"
                        "set format y '%%g'\nset grid\nset key below\n"
                        "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n"
                        "plot 'scaling.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 pt 7 "
                        "title 'raw hs\\_scan, synthetic rules',\\\n"
                        "     '' index 0 using 1:5:6:7 with yerrorlines lw 2 pt 5 "
                        "title 'aupf\\_scan, synthetic rules'");
    if (base)
        fprintf(g, ",\\\n     '' index 1 using 1:2:3:4 with yerrorbars pt 9 ps 1.8 "
                   "title 'raw hs\\_scan, configured rules',\\\n"
                   "     '' index 1 using 1:5:6:7 with yerrorbars pt 11 ps 1.8 "
                   "title 'aupf\\_scan, configured rules'");
    fprintf(g, "\n");
    fclose(d);
    fclose(g);
    return render(dir, "scaling");
}

int bench_plot_threads(const char *dir, const int *threads, const bench_stats *mbps, size_t n) {
    FILE *d = open_in(dir, "threads.dat"), *g = open_in(dir, "threads.gp");
    if (!d || !g || n == 0) {
        if (d)
            fclose(d);
        if (g)
            fclose(g);
        return -1;
    }
    fprintf(d, "# threads mbps_med mbps_min mbps_max\n");
    for (size_t i = 0; i < n; i++)
        fprintf(d, "%d %.3f %.3f %.3f\n", threads[i], mbps[i].median, mbps[i].min, mbps[i].max);
    fprintf(g,
            TERMINAL "set output 'throughput-vs-threads.png'\n"
                     "set title 'aupf\\_scan throughput vs threads (one shared ruleset)'\n"
                     "set xlabel 'threads'\nset ylabel 'MB/s'\nset grid\nset key left top\n"
                     "set xrange [0.5:%d.5]\nset yrange [0:*]\nset xtics 1\n"
                     "one = %.6f\n"
                     "plot 'threads.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 "
                     "title 'measured (median, min-max)',\\\n"
                     "     one * x with lines dt 2 lc rgb 'gray40' title 'linear from 1 thread'\n",
            threads[n - 1], mbps[0].median);
    fclose(d);
    fclose(g);
    return render(dir, "threads");
}

int bench_plot_latency(const char *dir, const size_t *chunks, const double *const *quantiles,
                       size_t k, size_t nq) {
    FILE *d = open_in(dir, "latency.dat"), *g = open_in(dir, "latency.gp");
    if (!d || !g || k == 0 || nq < 2) {
        if (d)
            fclose(d);
        if (g)
            fclose(g);
        return -1;
    }
    for (size_t c = 0; c < k; c++) {
        fprintf(d, "# %zu-byte chunks: latency_ns fraction\n", chunks[c]);
        for (size_t q = 0; q < nq; q++)
            fprintf(d, "%.1f %.5f\n", quantiles[c][q] > 1 ? quantiles[c][q] : 1,
                    (double)q / (double)(nq - 1));
        fprintf(d, "\n\n");
    }
    fprintf(g, TERMINAL "set output 'stream-latency.png'\n"
                        "set title 'aupf\\_stream\\_write latency per call (cumulative)'\n"
                        "set xlabel 'ns per call (log scale)'\nset ylabel 'fraction of calls'\n"
                        "set logscale x\nset format x '%%.0s%%c'\nset grid\n"
                        "set key right bottom\nset yrange [0:1]\n"
                        "plot ");
    for (size_t c = 0; c < k; c++)
        fprintf(g, "%s'latency.dat' index %zu using 1:2 with lines lw 2 title '%zu-byte chunks'",
                c ? ",\\\n     " : "", c, chunks[c]);
    fprintf(g, "\n");
    fclose(d);
    fclose(g);
    return render(dir, "latency");
}
