// dcgm-exporter on every host: DCGM_FI_DEV_* per GPU with gpu / UUID / device /
// modelName / pci_bus_id / the driver version, and the host as Hostname (old
// exporters) or hostname (d5e5f51 and later). Utilisation follows what the
// servers on the GPU did this tick; temperature follows power with thermal lag;
// memory used + free is the card's size; the script adds a GPU running hot and
// one XID error.
import { inWindow, type GpuSpec, type HostSpec } from "./fleet";
import type { Counter, Gauge, SeriesSet } from "./series";
import { clamp, Target, type GpuUse, type Tick } from "./target";

const DRIVER = "550.127.05";

interface GpuSeries {
  spec: GpuSpec;
  util: Gauge;
  memCopy: Gauge;
  used: Gauge;
  free: Gauge;
  temp: Gauge;
  memTemp: Gauge;
  power: Gauge;
  smClock: Gauge;
  xid: Gauge;
  grActive: Gauge;
  tensorActive: Gauge;
  energy: Counter;
  tempNow: number;
}

export class DcgmTarget extends Target {
  private readonly gpus: GpuSeries[];

  constructor(set: SeriesSet, hostSpec: HostSpec, private readonly use: GpuUse, uptimeS: number) {
    super(set, "dcgm", `${hostSpec.name}:9400`, hostSpec.name);
    this.gpus = hostSpec.gpus.map((g) => {
      const l = {
        gpu: String(g.index), UUID: g.uuid, device: `nvidia${g.index}`, modelName: g.modelName, pci_bus_id: g.pciBusId,
        [hostSpec.dcgmHostLabel]: hostSpec.name, DCGM_FI_DRIVER_VERSION: DRIVER,
      };
      return {
        spec: g,
        util: this.gauge("DCGM_FI_DEV_GPU_UTIL", l),
        memCopy: this.gauge("DCGM_FI_DEV_MEM_COPY_UTIL", l),
        used: this.gauge("DCGM_FI_DEV_FB_USED", l),
        free: this.gauge("DCGM_FI_DEV_FB_FREE", l),
        temp: this.gauge("DCGM_FI_DEV_GPU_TEMP", l),
        memTemp: this.gauge("DCGM_FI_DEV_MEMORY_TEMP", l),
        power: this.gauge("DCGM_FI_DEV_POWER_USAGE", l),
        smClock: this.gauge("DCGM_FI_DEV_SM_CLOCK", l),
        xid: this.gauge("DCGM_FI_DEV_XID_ERRORS", l),
        grActive: this.gauge("DCGM_FI_PROF_GR_ENGINE_ACTIVE", l),
        tensorActive: this.gauge("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", l),
        // mJ since boot.
        energy: this.counter("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", l, Math.round(uptimeS * g.idleW * 2 * 1000)),
        tempNow: 34,
      };
    });
  }

  collect(t: Tick, at: number): void {
    const { r, script, ts } = t;
    for (const g of this.gpus) {
      const i = g.spec.index;
      const busy = clamp(this.use.busy[i] + 0.02 * r.normal(), 0, 1);
      const hot = script.hotGpu.host === this.host && script.hotGpu.gpu === i && inWindow(script.hotGpu.window, ts);
      // A failing fan on the hot one: it heats up to ~90 °C whatever the load.
      const watts = g.spec.idleW + (g.spec.maxW - g.spec.idleW) * (0.1 + 0.85 * busy) * (hot ? 1.08 : 1);
      const target = hot ? 89 + 2 * busy : 30 + 0.075 * watts * (400 / g.spec.maxW);
      g.tempNow += (target - g.tempNow) * (hot ? 0.12 : 0.3) + 0.4 * r.normal();
      const total = g.spec.memMiB;
      const used = Math.round(clamp(this.use.memFrac[i], 0, 0.94) * total + 420 + r.next() * 30);
      const xid = script.xid.host === this.host && script.xid.gpu === i && inWindow(script.xid.window, ts) ? script.xid.code : 0;
      const power = Math.round(watts * (1 + 0.03 * r.normal()) * 1000) / 1000;
      g.util.emit(at, Math.round(busy * 100));
      g.memCopy.emit(at, Math.round(busy * 55 * (0.8 + 0.4 * r.next())));
      g.used.emit(at, used);
      g.free.emit(at, total - used);
      g.temp.emit(at, Math.round(g.tempNow));
      g.memTemp.emit(at, Math.round(g.tempNow + 4));
      g.power.emit(at, power);
      g.smClock.emit(at, busy > 0.05 ? 1980 : 345);
      g.xid.emit(at, xid);
      g.grActive.emit(at, Math.round(busy * 0.98 * 1e4) / 1e4);
      g.tensorActive.emit(at, Math.round(busy * 0.45 * 1e4) / 1e4);
      g.energy.inc(Math.round(power * t.dtS * 1000));
      g.energy.emit(at);
    }
  }
}
