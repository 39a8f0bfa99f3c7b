import { useQuery } from '@tanstack/react-query';
import { get } from '../app/api.ts';
import type { Organisation, Programme, Project } from '../app/types.ts';

export function useOrganisations(enabled = true) {
  return useQuery({ queryKey: ['organisations'], queryFn: () => get<{ items: Organisation[] }>('/api/organisations'), enabled });
}

export function useProgrammes(enabled = true) {
  return useQuery({ queryKey: ['programmes'], queryFn: () => get<{ items: Programme[] }>('/api/programmes'), enabled });
}

export function useProjects(enabled = true) {
  return useQuery({ queryKey: ['projects'], queryFn: () => get<{ items: Project[] }>('/api/projects'), enabled });
}
