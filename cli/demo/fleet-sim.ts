// Every host's targets, scraped once per tick in a fixed order: the inference
// servers first (they say how busy their GPUs were), then dcgm-exporter, then
// the agent's own metrics (which count the scrapes before it); after every
// host, the first host's agent's synthetic checks (probes.ts).
import { AgentTarget } from "./agent";
import { DcgmTarget } from "./dcgm";
import type { HostSpec, Script } from "./fleet";
import { ProbeSim } from "./probes";
import { Rand } from "./rng";
import { SeriesSet } from "./series";
import { LlamaCppTarget, OllamaTarget } from "./servers";
import { Scrape, type GpuUse, type Target } from "./target";
import { VllmTarget } from "./vllm";

interface HostSim {
  use: GpuUse;
  servers: Scrape[];
  dcgm: Scrape;
  agent: Scrape;
}

export class FleetSim {
  readonly set = new SeriesSet();
  private readonly hosts: HostSim[];
  private readonly r: Rand;
  private readonly probes: ProbeSim;
  private lastTs: number | null = null;

  constructor(fleet: HostSpec[], private readonly script: Script, seed: number) {
    this.r = new Rand(seed * 31_337 + 11);
    this.hosts = fleet.map((h) => {
      const use: GpuUse = { busy: h.gpus.map(() => 0), memFrac: h.gpus.map(() => 0) };
      const uptimeS = Math.round(this.r.between(2, 9) * 86_400);
      const servers: Target[] = h.servers.map((s) =>
        s.kind === "vllm" ? new VllmTarget(this.set, h.name, s, use, uptimeS)
        : s.kind === "llamacpp" ? new LlamaCppTarget(this.set, h.name, s, use)
        : new OllamaTarget(this.set, h.name, s, use));
      const serverScrapes = servers.map((t) => new Scrape(this.set, t));
      const dcgm = new Scrape(this.set, new DcgmTarget(this.set, h, use, uptimeS));
      const agent = new Scrape(this.set, new AgentTarget(this.set, h.name, [...serverScrapes, dcgm], h.servers.some((s) => s.kind === "ollama"), uptimeS));
      return { use, servers: serverScrapes, dcgm, agent };
    });
    // Created last: the hosts' series keep their order and the fleet's stream its draws.
    this.probes = new ProbeSim(this.set, fleet, seed);
  }

  get targets(): number {
    return this.hosts.reduce((n, h) => n + h.servers.length + 2, 0) + this.probes.targets;
  }

  /** Scrapes every target at ts (in time order, 15 s apart) under this load. */
  tick(ts: number, load: number): void {
    const dtS = this.lastTs === null ? 15 : (ts - this.lastTs) / 1000;
    this.lastTs = ts;
    const t = { ts, dtS, load, r: this.r, script: this.script };
    for (const h of this.hosts) {
      h.use.busy.fill(0);
      h.use.memFrac.fill(0);
      for (const s of h.servers) s.run(t);
      h.dcgm.run(t);
      h.agent.run(t);
    }
    this.probes.tick(t);
  }
}
