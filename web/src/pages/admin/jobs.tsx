import { JobList } from '../../components/job-list.js';
import { PageHeader } from '../../components/layout.js';

/** Every job on the coordinator, live from the fleet room. */
export function AdminJobs() {
  return (
    <>
      <PageHeader title="Jobs" />
      <JobList admin />
    </>
  );
}
