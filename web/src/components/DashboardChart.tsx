// The dashboard's chart (chart.js, drawn on a canvas): revenue as bars, occupancy as a line on its
// own axis. The canvas is labelled and the same figures are in the table beside it, for screen
// readers; `data-revenue` / `data-occupancy` carry what is drawn (the browser test reads them).
import { useEffect, useRef } from "react";
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from "chart.js";

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);

export interface ChartSeries {
  labels: string[];
  /** In the currency's major unit (won). */
  revenue: number[];
  /** Percent, 0 to 100. */
  occupancy: number[];
}

export function DashboardChart({ series, label, revenueLabel, occupancyLabel, occupancyAxis, formatMoney }: {
  series: ChartSeries;
  label: string;
  revenueLabel: string;
  occupancyLabel: string;
  occupancyAxis: string;
  formatMoney: (major: number) => string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  // The axis asks for labels whenever it draws: always with the current currency and language.
  const money = useRef(formatMoney);
  money.current = formatMoney;

  useEffect(() => {
    chart.current = new Chart(canvas.current!, {
      type: "bar",
      data: { labels: [], datasets: [] },
      options: {
        // Redrawn at once when a booking moves it: a live figure should not lag behind an animation.
        animation: false,
        maintainAspectRatio: false,
        scales: {
          revenue: { type: "linear", position: "left", beginAtZero: true, ticks: { callback: (v) => money.current(Number(v)) } },
          occupancy: { type: "linear", position: "right", min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: occupancyAxis } },
        },
      },
    });
    return () => chart.current?.destroy();
    // The chart is built once; its data and labels are updated below.
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data.labels = series.labels;
    c.data.datasets = [
      { type: "bar", label: revenueLabel, data: series.revenue, yAxisID: "revenue", backgroundColor: "rgba(37, 99, 235, 0.7)" },
      { type: "line", label: occupancyLabel, data: series.occupancy, yAxisID: "occupancy", borderColor: "rgb(220, 38, 38)", backgroundColor: "rgb(220, 38, 38)" },
    ];
    c.update();
  }, [series, revenueLabel, occupancyLabel]);

  return (
    <div className="dashboard-chart" style={{ position: "relative", height: "20rem" }}>
      <canvas ref={canvas} role="img" aria-label={label} data-revenue={JSON.stringify(series.revenue)} data-occupancy={JSON.stringify(series.occupancy)} />
    </div>
  );
}
